import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

// Sign-in providers' settings (issue #18): each provider is on when its client id and secret are both set, and
// anything half-set stops start-up naming the setting.

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

const BASE = { PUBLIC_BASE_URL: 'https://chat.example.org/' };

describe('sign-in provider settings', () => {
  it('configure no provider by default', () => {
    const config = loadConfig({});
    expect(config.oauth.providers).toEqual([]);
    expect(config.oauth.redirectAllowlist).toEqual([]);
  });

  it('make Google an OpenID Connect provider with its issuer, GitHub one with its URLs, and a generic one by issuer', () => {
    const config = loadConfig({
      ...BASE,
      GOOGLE_CLIENT_ID: 'g-id',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      GITHUB_CLIENT_ID: 'gh-id',
      GITHUB_CLIENT_SECRET: 'gh-secret',
      OIDC_ISSUER: 'https://login.example.org/realms/chat',
      OIDC_CLIENT_ID: 'o-id',
      OIDC_CLIENT_SECRET: 'o-secret',
      OIDC_PROVIDER_ID: 'keycloak',
      OIDC_PROVIDER_NAME: 'Company login',
    });
    expect(config.oauth.providers).toEqual([
      { kind: 'oidc', id: 'google', name: 'Google', issuer: 'https://accounts.google.com', clientId: 'g-id', clientSecret: 'g-secret' },
      {
        kind: 'github',
        id: 'github',
        name: 'GitHub',
        clientId: 'gh-id',
        clientSecret: 'gh-secret',
        oauthUrl: 'https://github.com',
        apiUrl: 'https://api.github.com',
      },
      {
        kind: 'oidc',
        id: 'keycloak',
        name: 'Company login',
        issuer: 'https://login.example.org/realms/chat',
        clientId: 'o-id',
        clientSecret: 'o-secret',
      },
    ]);
    expect(config.oauth.publicBaseUrl).toBe('https://chat.example.org');
    // The default allow-list is the page this service serves.
    expect(config.oauth.redirectAllowlist).toEqual(['https://chat.example.org/']);
  });

  it('refuse half a client id/secret pair, naming the missing half', () => {
    expect(problemsOf({ ...BASE, GOOGLE_CLIENT_ID: 'g' })).toEqual(['GOOGLE_CLIENT_SECRET: required when GOOGLE_CLIENT_ID is set']);
    expect(problemsOf({ ...BASE, GITHUB_CLIENT_SECRET: 's' })).toEqual(['GITHUB_CLIENT_ID: required when GITHUB_CLIENT_SECRET is set']);
    expect(problemsOf({ ...BASE, OIDC_ISSUER: 'https://idp.example.org' })).toEqual(['OIDC_CLIENT_ID: required when OIDC_ISSUER is set']);
    expect(problemsOf({ ...BASE, OIDC_CLIENT_ID: 'o', OIDC_CLIENT_SECRET: 's' })).toEqual(['OIDC_ISSUER: required when OIDC_CLIENT_ID is set']);
  });

  it('refuse a provider without PUBLIC_BASE_URL, a plain-http issuer off loopback and a clashing provider id', () => {
    expect(problemsOf({ GITHUB_CLIENT_ID: 'i', GITHUB_CLIENT_SECRET: 's' })).toEqual([
      'PUBLIC_BASE_URL: required when a sign-in provider is configured (its callback URL is built from it)',
    ]);
    expect(problemsOf({ ...BASE, OIDC_ISSUER: 'http://idp.example.org', OIDC_CLIENT_ID: 'o', OIDC_CLIENT_SECRET: 's' })[0]).toMatch(
      /^OIDC_ISSUER: must be https/,
    );
    expect(problemsOf({ ...BASE, OIDC_ISSUER: 'http://127.0.0.1:4000', OIDC_CLIENT_ID: 'o', OIDC_CLIENT_SECRET: 's' })).toEqual([]);
    expect(
      problemsOf({
        ...BASE,
        GOOGLE_CLIENT_ID: 'g',
        GOOGLE_CLIENT_SECRET: 's',
        OIDC_ISSUER: 'https://idp.example.org',
        OIDC_CLIENT_ID: 'o',
        OIDC_CLIENT_SECRET: 's',
        OIDC_PROVIDER_ID: 'google',
      }),
    ).toEqual(['OIDC_PROVIDER_ID: google is the id of another configured provider; choose another']);
  });

  it('read the redirect allow-list as normalised absolute URLs and refuse anything else', () => {
    const config = loadConfig({ ...BASE, OAUTH_REDIRECT_ALLOWLIST: 'https://app.example.org/signed-in, HTTP://LOCALHOST:5173/' });
    expect(config.oauth.redirectAllowlist).toEqual(['https://app.example.org/signed-in', 'http://localhost:5173/']);
    expect(problemsOf({ ...BASE, OAUTH_REDIRECT_ALLOWLIST: '/relative' })).toEqual([
      'OAUTH_REDIRECT_ALLOWLIST: /relative is not an absolute http(s) URL',
    ]);
  });
});
