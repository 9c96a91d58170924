import type { Container, ResolutionContext } from 'inversify';
import { GitHubIdentityProvider } from '../auth/oauth/githubIdentityProvider.js';
import type { IdentityProvider } from '../auth/oauth/identityProvider.js';
import { OAuthSignIn } from '../auth/oauth/oauthSignIn.js';
import { OidcIdentityProvider } from '../auth/oauth/oidcIdentityProvider.js';
import { SignInStateSealer } from '../auth/oauth/signInState.js';
import type { DomainLimits } from '../commands/decider.js';
import { IdentityAccounts } from '../commands/user/identityAccounts.js';
import type { AppConfig, OAuthSettings, ProviderSettings } from '../config/config.js';
import type { Endpoint } from '../http/route.js';
import { oauthRoutes } from '../http/routes/oauthRoutes.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import { historyWait } from './historyWait.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// Sign-in with Google, GitHub or any OpenID Connect provider (issue #18): the configured providers' adapters, the
// sign-in flow (state cookie sealed with a key derived from the JWT secret, codes in the shared token store), and
// the accounts behind identities (their streams' single writers, through the command executors).

const token = <T>(name: string): Token<T> => ({ id: Symbol.for(`chat.${name}`) });

export const OAUTH_TOKENS = {
  identityAccounts: token<IdentityAccounts>('identityAccounts'),
  oauthSignIn: token<OAuthSignIn>('oauthSignIn'),
};

export function bindOAuth(container: Container, config: AppConfig, limits: DomainLimits, secret: string): void {
  container.bind<IdentityAccounts>(OAUTH_TOKENS.identityAccounts.id).toDynamicValue(async (context) => {
    const executors = await resolve(context, TOKENS.executors);
    const commands = await resolve(context, TOKENS.chatCommands);
    return new IdentityAccounts({
      log: await resolve(context, TOKENS.eventLog),
      users: executors.users,
      identities: executors.identities,
      registerAccount: (input) => commands.registerAccount(input),
      history: await resolve(context, TOKENS.historyStore),
      limits,
      ids: uuidGenerator,
      waitForHistory: await historyWait(context),
    });
  });
  container.bind<OAuthSignIn>(OAUTH_TOKENS.oauthSignIn.id).toDynamicValue(async (context) => {
    const accounts = await identityAccountsOf(context);
    return new OAuthSignIn({
      providers: config.oauth.providers.map((provider) => identityProvider(provider, config.oauth)),
      sealer: new SignInStateSealer(secret),
      auth: await resolve(context, TOKENS.authService),
      accounts: {
        accountFor: (profile, correlationId) => accounts.accountFor(profile, correlationId),
        link: (userId, identity, correlationId) => accounts.link(userId, identity, correlationId),
      },
      usedStates: await resolve(context, TOKENS.tokenStore),
      clock: systemClock,
      publicBaseUrl: config.oauth.publicBaseUrl,
      redirectAllowlist: config.oauth.redirectAllowlist,
    });
  });
}

function identityProvider(provider: ProviderSettings, settings: OAuthSettings): IdentityProvider {
  switch (provider.kind) {
    case 'oidc':
      return new OidcIdentityProvider({
        id: provider.id,
        name: provider.name,
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        timeoutSeconds: settings.providerTimeoutSeconds,
        clockToleranceSeconds: settings.clockToleranceSeconds,
      });
    case 'github':
      return new GitHubIdentityProvider({
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        oauthUrl: provider.oauthUrl,
        apiUrl: provider.apiUrl,
        timeoutSeconds: settings.providerTimeoutSeconds,
      });
    default: {
      const unknown: never = provider;
      throw new Error(`unknown sign-in provider ${JSON.stringify(unknown)}`);
    }
  }
}

function identityAccountsOf(context: ResolutionContext): Promise<IdentityAccounts> {
  return context.getAsync<IdentityAccounts>(OAUTH_TOKENS.identityAccounts.id);
}

/** The sign-in REST routes, for the api's endpoint list. */
export async function oauthEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  return oauthRoutes(
    await context.getAsync<OAuthSignIn>(OAUTH_TOKENS.oauthSignIn.id),
    await identityAccountsOf(context),
    await resolve(context, TOKENS.authRateLimiter),
  );
}
