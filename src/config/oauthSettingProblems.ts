import type { RawConfig } from './configSchema.js';

// Sign-in providers (issue #18) from their settings: which are on, and what is wrong with half-set ones. A provider
// is on when its client id and secret are both set; half a pair, a generic provider without its issuer, or any
// provider without PUBLIC_BASE_URL (the callback URL it must be given) stops start-up naming the setting.

export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** A sign-in provider as configured. Google is an OpenID Connect provider with a fixed issuer. */
export type ProviderSettings =
  | { kind: 'oidc'; id: string; name: string; issuer: string; clientId: string; clientSecret: string }
  | { kind: 'github'; id: 'github'; name: 'GitHub'; clientId: string; clientSecret: string; oauthUrl: string; apiUrl: string };

export interface OAuthSettings {
  /** The service's public origin without a trailing slash; set whenever a provider is. */
  publicBaseUrl: string | undefined;
  /** Where a sign-in may send the browser back to, compared exactly (normalised by the URL parser). */
  redirectAllowlist: string[];
  providerTimeoutSeconds: number;
  clockToleranceSeconds: number;
  providers: ProviderSettings[];
}

const PAIRS = [
  ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
  ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
  ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'],
] as const;

export function oauthSettingProblems(raw: RawConfig): string[] {
  const problems: string[] = [];
  for (const [id, secret] of PAIRS) {
    if (raw[id] !== undefined && raw[secret] === undefined) problems.push(`${secret}: required when ${id} is set`);
    if (raw[id] === undefined && raw[secret] !== undefined) problems.push(`${id}: required when ${secret} is set`);
  }
  if (raw.OIDC_ISSUER !== undefined && raw.OIDC_CLIENT_ID === undefined) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (raw.OIDC_ISSUER === undefined && raw.OIDC_CLIENT_ID !== undefined) problems.push('OIDC_ISSUER: required when OIDC_CLIENT_ID is set');
  if (raw.OIDC_ISSUER !== undefined && !secureOrLoopback(raw.OIDC_ISSUER)) {
    problems.push('OIDC_ISSUER: must be https (http only on a loopback host: localhost, 127.0.0.0/8, [::1])');
  }
  for (const key of ['GITHUB_OAUTH_URL', 'GITHUB_API_URL'] as const) {
    if (!secureOrLoopback(raw[key])) problems.push(`${key}: must be https (http only on a loopback host)`);
  }
  const ids = configuredIds(raw);
  const oidcId = raw.OIDC_PROVIDER_ID;
  if (raw.OIDC_ISSUER !== undefined && ids.filter((id) => id === oidcId).length > 1) {
    problems.push(`OIDC_PROVIDER_ID: ${oidcId} is the id of another configured provider; choose another`);
  }
  if (ids.length > 0 && raw.PUBLIC_BASE_URL === undefined) {
    problems.push('PUBLIC_BASE_URL: required when a sign-in provider is configured (its callback URL is built from it)');
  }
  for (const url of raw.OAUTH_REDIRECT_ALLOWLIST ?? []) {
    if (normalisedUrl(url) === undefined) problems.push(`OAUTH_REDIRECT_ALLOWLIST: ${url} is not an absolute http(s) URL`);
  }
  return problems;
}

/** The settings as the service uses them; call after oauthSettingProblems found nothing. */
export function oauthSettingsOf(raw: RawConfig): OAuthSettings {
  const providers: ProviderSettings[] = [];
  if (raw.GOOGLE_CLIENT_ID !== undefined && raw.GOOGLE_CLIENT_SECRET !== undefined) {
    providers.push({
      kind: 'oidc',
      id: 'google',
      name: 'Google',
      issuer: GOOGLE_ISSUER,
      clientId: raw.GOOGLE_CLIENT_ID,
      clientSecret: raw.GOOGLE_CLIENT_SECRET,
    });
  }
  if (raw.GITHUB_CLIENT_ID !== undefined && raw.GITHUB_CLIENT_SECRET !== undefined) {
    providers.push({
      kind: 'github',
      id: 'github',
      name: 'GitHub',
      clientId: raw.GITHUB_CLIENT_ID,
      clientSecret: raw.GITHUB_CLIENT_SECRET,
      oauthUrl: withoutTrailingSlash(raw.GITHUB_OAUTH_URL),
      apiUrl: withoutTrailingSlash(raw.GITHUB_API_URL),
    });
  }
  if (raw.OIDC_ISSUER !== undefined && raw.OIDC_CLIENT_ID !== undefined && raw.OIDC_CLIENT_SECRET !== undefined) {
    providers.push({
      kind: 'oidc',
      id: raw.OIDC_PROVIDER_ID,
      name: raw.OIDC_PROVIDER_NAME,
      issuer: raw.OIDC_ISSUER,
      clientId: raw.OIDC_CLIENT_ID,
      clientSecret: raw.OIDC_CLIENT_SECRET,
    });
  }
  const publicBaseUrl = raw.PUBLIC_BASE_URL === undefined ? undefined : withoutTrailingSlash(raw.PUBLIC_BASE_URL);
  const allowlist = raw.OAUTH_REDIRECT_ALLOWLIST ?? (publicBaseUrl === undefined ? [] : [`${publicBaseUrl}/`]);
  return {
    publicBaseUrl,
    redirectAllowlist: allowlist.flatMap((url) => normalisedUrl(url) ?? []),
    providerTimeoutSeconds: raw.OAUTH_PROVIDER_TIMEOUT_SECONDS,
    clockToleranceSeconds: raw.OAUTH_CLOCK_TOLERANCE_SECONDS,
    providers,
  };
}

function configuredIds(raw: RawConfig): string[] {
  const ids: string[] = [];
  if (raw.GOOGLE_CLIENT_ID !== undefined) ids.push('google');
  if (raw.GITHUB_CLIENT_ID !== undefined) ids.push('github');
  if (raw.OIDC_ISSUER !== undefined) ids.push(raw.OIDC_PROVIDER_ID);
  return ids;
}

/** The URL as the WHATWG parser writes it (so `HTTP://Host:443/` and `http://host:443/` compare equal), if absolute http(s). */
export function normalisedUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
}

function secureOrLoopback(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return true;
  return protocol === 'http:' && (hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname));
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
