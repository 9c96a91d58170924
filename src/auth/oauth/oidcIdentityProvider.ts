import * as client from 'openid-client';
import { ProviderError } from '../../domain/errors.js';
import type { IdentityProvider, ProviderProfile, SignInChecks } from './identityProvider.js';
import { providerFailure } from './providerErrors.js';

// Any OpenID Connect provider, found by discovery from its issuer URL (Google is one: issuer
// https://accounts.google.com). openid-client does the protocol: the authorization URL with PKCE S256, `state` and
// `nonce`; the code exchange; and the ID token's validation: issuer, audience, expiry (with the configured clock
// tolerance), nonce, and, with enableNonRepudiationChecks, its signature against the provider's JWKS.

export interface OidcProviderOptions {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  timeoutSeconds: number;
  clockToleranceSeconds: number;
}

const SCOPE = 'openid profile email';

export class OidcIdentityProvider implements IdentityProvider {
  readonly id: string;
  readonly name: string;
  /** Discovered on first use and kept; a failed discovery is not kept, so a provider that was down is asked again. */
  private configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly options: OidcProviderOptions) {
    this.id = options.id;
    this.name = options.name;
  }

  async authorizationUrl(checks: SignInChecks, callbackUrl: string): Promise<URL> {
    const configuration = await this.discovered();
    return client.buildAuthorizationUrl(configuration, {
      redirect_uri: callbackUrl,
      scope: SCOPE,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  async complete(callback: URL, checks: SignInChecks): Promise<ProviderProfile> {
    const configuration = await this.discovered();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw providerFailure(this.id, error);
    }
    if (claims === undefined) throw new ProviderError(`${this.id} returned no ID token`, { provider: this.id });
    return {
      identity: { provider: this.id, subject: claims.sub },
      handle: stringClaim(claims, 'preferred_username') ?? stringClaim(claims, 'nickname'),
      name: stringClaim(claims, 'name'),
      // Only an address the provider says it verified; it is stored on a new account and never used to find one.
      verifiedEmail: claims.email_verified === true ? (stringClaim(claims, 'email') ?? null) : null,
    };
  }

  private discovered(): Promise<client.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      throw providerFailure(this.id, error);
    });
    return this.configuration;
  }

  private async discover(): Promise<client.Configuration> {
    const issuer = new URL(this.options.issuer);
    // Plain http only ever reaches here for a loopback issuer (config refuses it elsewhere): a provider on this host.
    const execute = [client.enableNonRepudiationChecks];
    if (issuer.protocol === 'http:') execute.push(client.allowInsecureRequests);
    return client.discovery(
      issuer,
      this.options.clientId,
      { client_secret: this.options.clientSecret, [client.clockTolerance]: this.options.clockToleranceSeconds },
      client.ClientSecretBasic(this.options.clientSecret),
      { execute, timeout: this.options.timeoutSeconds },
    );
  }
}

function stringClaim(claims: client.IDToken, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}
