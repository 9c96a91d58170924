import * as client from 'openid-client';
import { z } from 'zod';
import { ProviderError } from '../../domain/errors.js';
import type { IdentityProvider, ProviderProfile, SignInChecks } from './identityProvider.js';
import { providerFailure } from './providerErrors.js';

// GitHub: OAuth 2.0 without OpenID Connect, so no ID token; who signed in is what its REST API says the access
// token belongs to. Its documented endpoints, under configurable bases (GitHub Enterprise, or a test's local server):
//   GET  <oauth>/login/oauth/authorize      client_id, redirect_uri, scope, state, code_challenge (S256)
//   POST <oauth>/login/oauth/access_token   code, code_verifier, client credentials -> {access_token, token_type}
//   GET  <api>/user                          {id, login, name}: the id is the stable subject (a login can change)
//   GET  <api>/user/emails                   [{email, primary, verified}]
// openid-client builds the authorization URL and does the code exchange with PKCE and the state check.

export interface GitHubProviderOptions {
  clientId: string;
  clientSecret: string;
  /** https://github.com, or a GitHub Enterprise host. */
  oauthUrl: string;
  /** https://api.github.com, or `<host>/api/v3`. */
  apiUrl: string;
  timeoutSeconds: number;
}

const SCOPE = 'read:user user:email';
const API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'chat-service' };

const githubUser = z.object({
  id: z.number().int().nonnegative(),
  login: z.string(),
  name: z.string().nullish(),
});
const githubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

export class GitHubIdentityProvider implements IdentityProvider {
  readonly id = 'github';
  readonly name = 'GitHub';
  private readonly configuration: client.Configuration;

  constructor(private readonly options: GitHubProviderOptions) {
    const tokenEndpoint = `${options.oauthUrl}/login/oauth/access_token`;
    this.configuration = new client.Configuration(
      {
        issuer: options.oauthUrl,
        authorization_endpoint: `${options.oauthUrl}/login/oauth/authorize`,
        token_endpoint: tokenEndpoint,
      },
      options.clientId,
      options.clientSecret,
      client.ClientSecretPost(options.clientSecret),
    );
    this.configuration.timeout = options.timeoutSeconds;
    this.configuration[client.customFetch] = errorStatusFor(tokenEndpoint);
    // Plain http is only ever configured for loopback (config refuses it elsewhere): a test's local server.
    if (new URL(options.oauthUrl).protocol === 'http:' || new URL(options.apiUrl).protocol === 'http:') {
      client.allowInsecureRequests(this.configuration);
    }
  }

  async authorizationUrl(checks: SignInChecks, callbackUrl: string): Promise<URL> {
    return client.buildAuthorizationUrl(this.configuration, {
      redirect_uri: callbackUrl,
      scope: SCOPE,
      state: checks.state,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  async complete(callback: URL, checks: SignInChecks): Promise<ProviderProfile> {
    try {
      const tokens = await client.authorizationCodeGrant(this.configuration, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
      });
      const user = githubUser.safeParse(await this.get(tokens.access_token, '/user'));
      if (!user.success) throw new ProviderError("GitHub's /user answer is not what its documentation says", { provider: this.id });
      return {
        identity: { provider: this.id, subject: String(user.data.id) },
        handle: user.data.login,
        name: user.data.name ?? undefined,
        verifiedEmail: await this.verifiedPrimaryEmail(tokens.access_token),
      };
    } catch (error) {
      throw providerFailure(this.id, error);
    }
  }

  /** The primary address when GitHub verified it; none when the app may not read addresses (a missing scope). */
  private async verifiedPrimaryEmail(accessToken: string): Promise<string | null> {
    const emails = githubEmails.safeParse(await this.get(accessToken, '/user/emails', { optional: true }));
    if (!emails.success) return null;
    return emails.data.find((email) => email.primary && email.verified)?.email ?? null;
  }

  private async get(accessToken: string, path: string, options: { optional?: boolean } = {}): Promise<unknown> {
    const response = await client.fetchProtectedResource(
      this.configuration,
      accessToken,
      new URL(`${this.options.apiUrl}${path}`),
      'GET',
      undefined,
      new Headers(API_HEADERS),
    );
    if (!response.ok) {
      if (options.optional === true && (response.status === 403 || response.status === 404)) return undefined;
      throw new ProviderError(`GitHub answered ${response.status} to ${path}`, { provider: this.id, status: response.status });
    }
    return response.json();
  }
}

/**
 * GitHub answers a refused code exchange with 200 and an OAuth error body (`{"error": "bad_verification_code"}`,
 * documented under "Troubleshooting OAuth app access token request errors"); OAuth 2.0 says 400. Turning it into a
 * 400 lets the client library report it as the error it is.
 */
function errorStatusFor(tokenEndpoint: string): client.CustomFetch {
  return async (url, options) => {
    const response = await fetch(url, options);
    if (url !== tokenEndpoint || response.status !== 200) return response;
    const body = await response.text();
    const headers = new Headers(response.headers);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const isError = typeof parsed === 'object' && parsed !== null && 'error' in parsed;
    return new Response(body, { status: isError ? 400 : 200, headers });
  };
}
