// Sign-in with Google, GitHub or any OpenID Connect provider (issue #18): the reference's "Sign-in with providers"
// section (CONFIG_GROUPS.oauth), in the order it lists them. Each provider is on when its client id and secret are
// both set; half a pair stops start-up (oauthSettingProblems.ts).

import { z } from 'zod';
import { doc } from './configGroups.js';
import { csv, positiveInt } from './settingValues.js';

const secret = (name: string) =>
  z
    .string()
    .min(1)
    .optional()
    .meta(doc('oauth', `${name}. Set together with its client id, or not at all.`, 'the provider is off'));

const clientId = (name: string) =>
  z
    .string()
    .min(1)
    .optional()
    .meta(doc('oauth', `${name}. Set together with its client secret, or not at all.`, 'the provider is off'));

/** An absolute http(s) URL; whether plain http is allowed is decided with the other settings (loopback only). */
const absoluteUrl = z.string().regex(/^https?:\/\/[^\s/?#]+[^\s?#]*$/, 'must be an absolute http:// or https:// URL without query or fragment');

export const oauthSettings = {
  PUBLIC_BASE_URL: absoluteUrl.optional().meta(
    doc(
      'oauth',
      'Where browsers reach this service (`https://chat.example.org`). The callback URL each provider is given is ' +
        '`<PUBLIC_BASE_URL>/api/auth/oauth/<provider>/callback`. Required when a provider is configured.',
      'no provider may be configured',
    ),
  ),
  OAUTH_REDIRECT_ALLOWLIST: csv.optional().meta(
    doc(
      'oauth',
      'Comma-separated app URLs a sign-in may return to (`redirectUri` of `/api/auth/oauth/<provider>/start`), ' +
        'compared exactly. The first is the default.',
      '`<PUBLIC_BASE_URL>/`, the browser page this service serves',
    ),
  ),
  OAUTH_PROVIDER_TIMEOUT_SECONDS: positiveInt
    .default(10)
    .meta(doc('oauth', 'How long a request to a provider (discovery, token, user info) may take before `502 OAUTH_PROVIDER_ERROR`.')),
  OAUTH_CLOCK_TOLERANCE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(300)
    .default(30)
    .meta(doc('oauth', "Clock skew tolerated when checking an ID token's `exp`, `iat` and `nbf` against this server's clock.")),
  GOOGLE_CLIENT_ID: clientId('OAuth client id from the Google Cloud console (an OpenID Connect provider with issuer `https://accounts.google.com`)'),
  GOOGLE_CLIENT_SECRET: secret('OAuth client secret of `GOOGLE_CLIENT_ID`'),
  GITHUB_CLIENT_ID: clientId('Client id of a GitHub OAuth app'),
  GITHUB_CLIENT_SECRET: secret('Client secret of `GITHUB_CLIENT_ID`'),
  GITHUB_OAUTH_URL: absoluteUrl
    .default('https://github.com')
    .meta(doc('oauth', "Base of GitHub's `/login/oauth/authorize` and `/login/oauth/access_token` (GitHub Enterprise: its own host).")),
  GITHUB_API_URL: absoluteUrl
    .default('https://api.github.com')
    .meta(doc('oauth', "Base of GitHub's REST API (`/user`, `/user/emails`); GitHub Enterprise: `https://<host>/api/v3`.")),
  OIDC_ISSUER: absoluteUrl.optional().meta(
    doc(
      'oauth',
      "Issuer URL of any OpenID Connect provider (Keycloak, Okta, Entra ID, ...); its endpoints and keys are read from " +
        '`<issuer>/.well-known/openid-configuration`. https, or http on a loopback host only. Set together with ' +
        '`OIDC_CLIENT_ID` and `OIDC_CLIENT_SECRET`.',
      'no generic OpenID Connect provider',
    ),
  ),
  OIDC_CLIENT_ID: clientId('Client id registered at `OIDC_ISSUER`'),
  OIDC_CLIENT_SECRET: secret('Client secret registered at `OIDC_ISSUER`'),
  OIDC_PROVIDER_ID: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be lower-case letters, digits and _, starting with a letter (at most 32)')
    .default('oidc')
    .meta(
      doc(
        'oauth',
        "The generic provider's id in routes (`/api/auth/oauth/<id>/start`) and in linked identities: changing it " +
          'later unlinks every identity signed in through it.',
      ),
    ),
  OIDC_PROVIDER_NAME: z
    .string()
    .min(1)
    .max(60)
    .default('OpenID Connect')
    .meta(doc('oauth', "The generic provider's name as sign-in screens show it (`GET /api/auth/providers`).")),
};
