import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { AuthenticationError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { ProviderIdentity } from '../../domain/identities.js';
import type { Clock } from '../../support/clock.js';
import type { AccessPrincipal } from '../accessTokens.js';
import type { Account, AuthService, TokenPair } from '../authService.js';
import type { TokenStore } from '../tokenStore.js';
import type { IdentityProvider, ProviderProfile, SignInChecks } from './identityProvider.js';
import { SIGN_IN_TTL_SECONDS, signInCookieOf, type SignInState, type SignInStateSealer } from './signInState.js';

// Sign-in with a provider (issue #18), start to finish:
//   start     the browser asks to sign in; it is sent to the provider with a fresh state, nonce and PKCE verifier,
//             which stay with it in a sealed cookie (signInState.ts);
//   callback  the provider sends the browser back; the state must be the cookie's and unused, the provider's answer
//             must hold up (providers' complete()), then the identity's account is found or made (or, for a link,
//             the identity is linked to the signed-in user) and the browser goes back to the app with a one-time
//             code (60 s) that never is a token of ours;
//   exchange  the app trades the code for the pair a password login gives.

/** How long the one-time code the callback hands the app may wait for its exchange. */
export const SIGN_IN_CODE_TTL_SECONDS = 60;

/** The accounts behind identities (commands/user/identityAccounts.ts), as the sign-in needs them. */
export interface IdentityAccountsPort {
  /** The identity's account: the one it is linked to, or a new one its profile names, made now. */
  accountFor(profile: ProviderProfile, correlationId: string): Promise<Account>;
  /** Links the identity to the signed-in user's own account (IDENTITY_TAKEN when another account holds it). */
  link(userId: string, identity: ProviderIdentity, correlationId: string): Promise<void>;
}

export interface OAuthSignInDeps {
  providers: readonly IdentityProvider[];
  sealer: SignInStateSealer;
  auth: Pick<AuthService, 'issueSignInCode' | 'exchangeSignInCode' | 'isSessionRevoked'>;
  accounts: IdentityAccountsPort;
  /** Remembers the states already used, in the store every process shares (until they would expire anyway). */
  usedStates: Pick<TokenStore, 'blacklistAccessToken' | 'isAccessTokenBlacklisted'>;
  clock: Clock;
  /** Where browsers reach this service; the callback URLs are built from it. */
  publicBaseUrl: string | undefined;
  /** The app URLs a sign-in may return to (normalised); the first is the default. */
  redirectAllowlist: readonly string[];
}

export interface Started {
  /** The provider's authorization URL. */
  location: string;
  /** The sealed sign-in state, for the cookie. */
  sealedState: string;
}

export class OAuthSignIn {
  private readonly byId: ReadonlyMap<string, IdentityProvider>;

  constructor(private readonly deps: OAuthSignInDeps) {
    this.byId = new Map(deps.providers.map((provider) => [provider.id, provider]));
  }

  /** The configured providers, for sign-in screens. */
  providers(): { id: string; name: string }[] {
    return this.deps.providers.map(({ id, name }) => ({ id, name }));
  }

  /** Whether browsers reach the service over https, so the sign-in cookie is marked Secure. */
  get secureCookies(): boolean {
    return this.deps.publicBaseUrl?.startsWith('https:') ?? false;
  }

  /** A sign-in with `providerId`; the browser will come back to `redirectUri` (an allowed one; the default if none). */
  start(providerId: string, redirectUri: string | undefined): Promise<Started> {
    return this.begin(providerId, redirectUri, undefined);
  }

  /** The signed-in user asks to link their identity at `providerId` to their account. */
  startLink(principal: AccessPrincipal, providerId: string, redirectUri: string | undefined): Promise<Started> {
    return this.begin(providerId, redirectUri, { userId: principal.userId, familyId: principal.familyId });
  }

  /**
   * The provider's redirect back: `query` is the callback's query string as received, `cookieHeader` the browser's
   * Cookie header. Answers where to send the browser: the app's redirect URI with `code` (a sign-in) or `linked` (a
   * link).
   */
  async callback(providerId: string, query: string, cookieHeader: string | undefined, correlationId: string): Promise<{ location: string }> {
    const provider = this.provider(providerId);
    const state = await this.consumeState(providerId, new URLSearchParams(query), cookieHeader);
    const callback = new URL(this.callbackUrl(providerId));
    callback.search = query;
    const profile = await provider.complete(callback, state);
    const back = new URL(state.redirectUri);
    if (state.link !== undefined) {
      // The user may have signed out while at the provider: then nobody asked for the link any more.
      if (await this.deps.auth.isSessionRevoked(state.link.familyId)) {
        throw new AuthenticationError('TOKEN_REVOKED', 'the session that asked for this link has ended; sign in and link again');
      }
      await this.deps.accounts.link(state.link.userId, profile.identity, correlationId);
      back.searchParams.set('linked', providerId);
      return { location: back.href };
    }
    const account = await this.deps.accounts.accountFor(profile, correlationId);
    back.searchParams.set('code', await this.deps.auth.issueSignInCode(account, SIGN_IN_CODE_TTL_SECONDS));
    return { location: back.href };
  }

  exchange(code: string): Promise<{ tokens: TokenPair; account: Account }> {
    return this.deps.auth.exchangeSignInCode(code);
  }

  /** The redirect URI each provider must be given for `providerId`. */
  callbackUrl(providerId: string): string {
    return `${this.deps.publicBaseUrl ?? ''}/api/auth/oauth/${providerId}/callback`;
  }

  private async begin(providerId: string, redirectUri: string | undefined, link: SignInState['link']): Promise<Started> {
    const provider = this.provider(providerId);
    const back = this.allowedRedirect(redirectUri);
    const checks: SignInChecks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const location = await provider.authorizationUrl(checks, this.callbackUrl(providerId));
    const state: SignInState = {
      provider: providerId,
      ...checks,
      redirectUri: back,
      expiresAt: this.deps.clock.now() + SIGN_IN_TTL_SECONDS * 1000,
      ...(link === undefined ? {} : { link }),
    };
    return { location: location.href, sealedState: this.deps.sealer.seal(state) };
  }

  private provider(providerId: string): IdentityProvider {
    const provider = this.byId.get(providerId);
    if (provider === undefined) throw new NotFoundError('NO_PROVIDER', `no sign-in provider ${providerId} is configured`, { provider: providerId });
    return provider;
  }

  private allowedRedirect(redirectUri: string | undefined): string {
    const allowed = this.deps.redirectAllowlist;
    if (redirectUri === undefined) {
      const first = allowed[0];
      if (first === undefined) throw new ValidationError('no redirect URI is configured (OAUTH_REDIRECT_ALLOWLIST)', { field: 'redirectUri' });
      return first;
    }
    const normalised = URL.canParse(redirectUri) ? new URL(redirectUri).href : undefined;
    if (normalised === undefined || !allowed.includes(normalised)) {
      throw new ValidationError('redirectUri is not one of the allowed app URLs', { field: 'redirectUri' });
    }
    return normalised;
  }

  /**
   * The sign-in's state from the browser's cookie, if it matches the provider's answer and was not used before; it
   * is marked used at once, so a replayed callback is refused before the provider is asked anything.
   */
  private async consumeState(providerId: string, query: URLSearchParams, cookieHeader: string | undefined): Promise<SignInState> {
    const now = this.deps.clock.now();
    const sealed = signInCookieOf(cookieHeader);
    const state = sealed === undefined ? undefined : this.deps.sealer.open(sealed, now);
    const answered = query.get('state');
    if (state === undefined || state.provider !== providerId || answered === null || answered !== state.state) {
      throw new ValidationError(
        "the provider's answer does not belong to a sign-in this browser started (missing, expired or different state)",
        { provider: providerId },
        'OAUTH_STATE_MISMATCH',
      );
    }
    const usedKey = `oauth-state:${createHash('sha256').update(state.state).digest('base64url')}`;
    if (await this.deps.usedStates.isAccessTokenBlacklisted(usedKey, now)) {
      throw new ValidationError('this sign-in was completed already', { provider: providerId }, 'OAUTH_STATE_MISMATCH');
    }
    await this.deps.usedStates.blacklistAccessToken(usedKey, state.expiresAt);
    return state;
  }
}
