import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { closeNow, listenOnLoopback } from './loopback.js';

// A real OpenID provider for the sign-in tests (issue #18): oidc-provider, a certified implementation, on a free
// loopback port. One confidential client whose redirect URI is the service's callback; PKCE required; any login
// name signs in as the account of that name (devInteractions' login and consent forms, which the test browser
// fills in). Knobs let a test make the ID token short-lived and the token endpoint slow, so an ID token arrives
// expired.

export interface TestAccount {
  sub: string;
  preferred_username?: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
}

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The ID token lifetime, seconds (default an hour). */
  idTokenTtlSeconds: number;
  /** Delay before the token endpoint answers, ms (default none). */
  tokenDelayMs: number;
  /** Profiles by login name; a name not here signs in with only `sub`. */
  accounts: Map<string, TestAccount>;
  stop(): Promise<void>;
}

export async function startOidcTestProvider(redirectUri: string): Promise<OidcTestProvider> {
  const server: Server = createServer();
  const issuer = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  const handle: OidcTestProvider = {
    issuer,
    clientId: 'chat-service-test',
    clientSecret: 'chat-service-test-secret-0123456789',
    idTokenTtlSeconds: 3600,
    tokenDelayMs: 0,
    accounts: new Map(),
    stop: () => closeNow(server),
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: handle.clientId,
        client_secret: handle.clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
    // The profile claims in the ID token itself (as Google does), not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    ttl: {
      IdToken: () => handle.idTokenTtlSeconds,
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      Interaction: 600,
      Session: 600,
    },
    cookies: { keys: ['oidc-test-provider-cookie-key'] },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ ...(handle.accounts.get(id) ?? {}), sub: id }),
    }),
  });
  // Silence the provider's own error logging of refused requests; the tests look at the answers.
  provider.on('server_error', () => undefined);
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && handle.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, handle.tokenDelayMs));
  });
  server.on('request', provider.callback());
  return handle;
}
