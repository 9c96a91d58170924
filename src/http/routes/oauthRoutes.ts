import { z } from 'zod';
import type { OAuthSignIn } from '../../auth/oauth/oauthSignIn.js';
import { clearedSignInCookie, signInCookie } from '../../auth/oauth/signInState.js';
import type { IdentityAccounts } from '../../commands/user/identityAccounts.js';
import { PROVIDER_ID_PATTERN } from '../../domain/identities.js';
import type { RateLimiter } from '../../ratelimit/rateLimiter.js';
import { userDto } from '../presenters.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, publicRoute, type Endpoint } from '../route.js';
import { tokenPairSchema } from '../schemas.js';

// Sign-in with Google, GitHub or any OpenID Connect provider (issue #18; API.md "Sign-in with an identity provider";
// the flow is in src/auth/oauth/oauthSignIn.ts). The start and the callback are browser navigations, answered with
// redirects; the app gets its tokens only from the exchange, never in a URL.

const tags = ['auth'];

const providerParams = z.strictObject({
  provider: z
    .string()
    .regex(PROVIDER_ID_PATTERN)
    .meta({ description: 'a configured provider: `google`, `github`, or the OpenID Connect provider\'s id (GET /api/auth/providers)' }),
});

const startQuery = z.strictObject({
  redirectUri: z
    .string()
    .max(1024)
    .optional()
    .meta({ description: 'where the browser returns when done: one of the allowed app URLs (OAUTH_REDIRECT_ALLOWLIST); the first when left out' }),
});

// A provider adds what it likes to its redirect (Google: scope, authuser, prompt, hd; an error's error_description),
// so the callback accepts any parameter; code and state are what it reads, and iss (RFC 9207) is checked when sent.
// The declared ones are bounded so that a URL of the longest (percent-encoded, four bytes a character) still fits
// the HTTP server's header limit, instead of being refused 431 before the route sees it.
const callbackQuery = z.looseObject({
  code: z.string().max(512).optional().meta({ description: "the provider's authorization code" }),
  state: z.string().max(256).optional().meta({ description: 'the state the sign-in was started with' }),
  error: z.string().max(128).optional().meta({ description: "the provider's error, when it did not sign the person in" }),
  iss: z.string().max(256).optional().meta({ description: "the provider's issuer (RFC 9207), checked when sent" }),
});

const providerSchema = z
  .object({ id: z.string(), name: z.string() })
  .meta({ id: 'SignInProvider', description: 'a configured sign-in provider' });
const identitySchema = z
  .object({
    provider: z.string(),
    subject: z.string().meta({ description: "the provider's stable id for the person" }),
  })
  .meta({ id: 'LinkedIdentity' });

const exchangeBody = z
  .strictObject({ code: z.string().min(1).max(256).meta({ description: 'the one-time code the callback put in the redirect URI' }) })
  .meta({ id: 'OAuthExchangeRequest' });

const redirect = (description: string) => ({
  description,
  headers: { Location: 'where the browser goes next', 'Set-Cookie': 'the sign-in state cookie (HttpOnly, SameSite=Lax), set or cleared' },
});

export function oauthRoutes(signIn: OAuthSignIn, identities: IdentityAccounts, perIpLimiter: RateLimiter): Endpoint[] {
  const limitIp = (ip: string | undefined) => perIpLimiter.consume(ip ?? 'unknown');
  const secure = signIn.secureCookies;
  return [
    publicRoute({
      method: 'get',
      path: '/api/auth/providers',
      summary: 'The configured sign-in providers, for a sign-in screen (none is fine)',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'the providers', schema: z.object({ providers: z.array(providerSchema) }) } },
      async handler() {
        return { status: 200, body: { providers: signIn.providers() } };
      },
    }),
    publicRoute({
      method: 'get',
      path: '/api/auth/oauth/:provider/start',
      summary: 'Start signing in with a provider: a redirect to it',
      description:
        'A browser navigation. Answers 302 to the provider\'s authorization page (authorization code with PKCE S256, ' +
        '`state`, and `nonce` for OpenID Connect), and sets the sign-in\'s sealed state cookie (HttpOnly, ' +
        'SameSite=Lax, 10 minutes) that binds the sign-in to this browser.',
      tags,
      body: NO_BODY,
      query: startQuery,
      params: providerParams,
      responses: {
        302: redirect('to the provider'),
        400: { description: 'VALIDATION_FAILED: redirectUri is not an allowed app URL' },
        404: { description: 'NO_PROVIDER: no such provider is configured' },
        502: { description: 'OAUTH_PROVIDER_ERROR: the provider could not be reached (its discovery document)' },
      },
      async handler({ params, query, req }) {
        await limitIp(req.ip);
        const started = await signIn.start(params.provider, query.redirectUri);
        return { status: 302, headers: redirectHeaders(started.location, signInCookie(started.sealedState, secure)) };
      },
    }),
    publicRoute({
      method: 'get',
      path: '/api/auth/oauth/:provider/callback',
      summary: "The provider's redirect back: a redirect to the app with a one-time code",
      description:
        'Where the provider sends the browser (the redirect URI to register with it). The state must be the one ' +
        "this browser's sign-in cookie holds and unused; the provider's code is exchanged (with the PKCE verifier) " +
        'and, for OpenID Connect, the ID token validated (signature from the provider\'s keys, issuer, audience, ' +
        'expiry, nonce). The identity\'s account signs in (a first sign-in creates one; an e-mail never links one). ' +
        'Answers 302 to the redirect URI with `?code=`: a one-time code valid 60 seconds for POST ' +
        '/api/auth/oauth/exchange. A link started by POST /api/auth/identities/{provider}/start returns with ' +
        '`?linked={provider}` instead.',
      tags,
      body: NO_BODY,
      query: callbackQuery,
      params: providerParams,
      responses: {
        302: redirect('to the app'),
        400: {
          description:
            "OAUTH_STATE_MISMATCH: no sign-in cookie, or its state (or the ID token's nonce) is not this answer's, or " +
            'the sign-in was completed already. OAUTH_CODE_INVALID: the provider refused the code (used or expired)',
        },
        401: { description: 'TOKEN_REVOKED: a link whose session signed out meanwhile' },
        404: { description: 'NO_PROVIDER: no such provider is configured' },
        409: {
          description:
            'IDENTITY_TAKEN: (a link) the identity is linked to another account. PROVIDER_ALREADY_LINKED: (a link) the ' +
            'account has another identity of this provider',
        },
        410: { description: "ACCOUNT_ERASED: the identity's account was erased, which closed it for good" },
        429: { description: 'ACCOUNT_LOCKED: the account is locked after failed password sign-ins' },
        502: {
          description:
            'OAUTH_PROVIDER_ERROR: the provider could not be reached, refused, did not sign the person in ' +
            '(details.error), or answered with an ID token that fails validation (signature, issuer, audience, expiry)',
        },
      },
      async handler({ params, req, requestId }) {
        await limitIp(req.ip);
        const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
        const { location } = await signIn.callback(params.provider, query, req.headers.cookie, requestId);
        return { status: 302, headers: redirectHeaders(location, clearedSignInCookie(secure)) };
      },
    }),
    publicRoute({
      method: 'post',
      path: '/api/auth/oauth/exchange',
      summary: "Exchange a sign-in's one-time code for an access and a refresh token",
      description:
        'The same answer as POST /api/auth/login. A code works once, for 60 seconds; using it again also revokes the ' +
        'tokens its first exchange gave (a code seen twice has leaked).',
      tags,
      body: exchangeBody,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        200: { description: 'signed in', schema: tokenPairSchema },
        400: { description: 'OAUTH_CODE_INVALID: unknown, used or expired' },
        410: { description: "ACCOUNT_ERASED: the account's personal data was erased, which closed it for good" },
      },
      async handler({ body, req }) {
        await limitIp(req.ip);
        const { tokens, account } = await signIn.exchange(body.code);
        return { status: 200, body: { ...tokens, user: userDto(account) } };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/auth/identities',
      summary: 'The identities at sign-in providers linked to your account',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'the linked identities', schema: z.object({ identities: z.array(identitySchema) }) } },
      async handler({ principal }) {
        return { status: 200, body: { identities: await identities.linkedTo(principal.userId) } };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/auth/identities/:provider/start',
      summary: 'Start linking an identity at a provider to your account',
      description:
        'Answers the provider\'s authorization URL for the browser to go to, and sets the sign-in state cookie (call ' +
        'it from the page that will navigate). When the provider sends the browser back, the identity is linked to ' +
        'the account of the token that started it (recorded as IdentityLinked) and the browser returns to ' +
        '`redirectUri?linked={provider}`. Linking is the only way an identity joins an existing account: never by a ' +
        'matching e-mail.',
      tags,
      body: NO_BODY,
      query: startQuery,
      params: providerParams,
      responses: {
        200: {
          description: 'go there',
          schema: z.object({ url: z.string().meta({ description: "the provider's authorization URL" }) }),
          headers: { 'Set-Cookie': 'the sign-in state cookie (HttpOnly, SameSite=Lax)' },
        },
        400: { description: 'VALIDATION_FAILED: redirectUri is not an allowed app URL' },
        404: { description: 'NO_PROVIDER: no such provider is configured' },
        502: { description: 'OAUTH_PROVIDER_ERROR: the provider could not be reached' },
      },
      async handler({ principal, params, query }) {
        const started = await signIn.startLink(principal, params.provider, query.redirectUri);
        return {
          status: 200,
          body: { url: started.location },
          headers: { 'Set-Cookie': signInCookie(started.sealedState, secure), 'Cache-Control': 'no-store' },
        };
      },
    }),
    authedRoute({
      method: 'delete',
      path: '/api/auth/identities/:provider',
      summary: 'Unlink your identity at a provider',
      description:
        'Recorded as IdentityUnlinked; the identity no longer signs in to the account and may be linked to another. ' +
        'Refused when it is the last way to sign in (no password, no other identity).',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: providerParams,
      responses: {
        204: { description: 'unlinked' },
        404: { description: 'NO_IDENTITY: no identity of this provider is linked to your account' },
        409: { description: 'LAST_SIGN_IN_METHOD: it is the only way left to sign in to the account' },
      },
      async handler({ principal, params, requestId }) {
        await identities.unlink(principal.userId, params.provider, requestId);
        return { status: 204 };
      },
    }),
  ];
}

function redirectHeaders(location: string, cookie: string): Record<string, string> {
  return { Location: location, 'Set-Cookie': cookie, 'Cache-Control': 'no-store' };
}
