import type { ProviderIdentity } from '../../domain/identities.js';

// A sign-in provider (issue #18) as the sign-in flow sees it: where to send the browser, and what the provider's
// answer says about who signed in. One adapter speaks OpenID Connect (any issuer, by discovery; Google is one), the
// other GitHub's OAuth 2.0 and REST API.

/** What the provider vouches for about the person who signed in. */
export interface ProviderProfile {
  identity: ProviderIdentity;
  /** A handle the person uses there (OIDC `preferred_username`/`nickname`, GitHub `login`): a username's first choice. */
  handle: string | undefined;
  /** Their name there, for the display name. */
  name: string | undefined;
  /** An e-mail address the provider says it verified, or null: never used to find or link an account. */
  verifiedEmail: string | null;
}

/** The per-sign-in secrets, made at the start and kept in the browser's sealed state cookie until the callback. */
export interface SignInChecks {
  state: string;
  /** Sent to OIDC providers and compared with the ID token's `nonce`; unused by GitHub. */
  nonce: string;
  /** PKCE: its S256 challenge goes in the authorization request, the verifier with the code. */
  codeVerifier: string;
}

export interface IdentityProvider {
  readonly id: string;
  readonly name: string;
  /** The authorization request's URL (code flow, PKCE S256, `state`, and `nonce` for OIDC). */
  authorizationUrl(checks: SignInChecks, callbackUrl: string): Promise<URL>;
  /**
   * Checks the provider's redirect (`callback`: the callback URL as the browser asked for it) against the sign-in's
   * checks, exchanges its code, validates what came back (for OIDC the ID token: signature from the provider's JWKS,
   * issuer, audience, expiry, nonce) and reads the profile. Throws ChatErrors: OAUTH_STATE_MISMATCH,
   * OAUTH_CODE_INVALID, OAUTH_PROVIDER_ERROR.
   */
  complete(callback: URL, checks: SignInChecks): Promise<ProviderProfile>;
}
