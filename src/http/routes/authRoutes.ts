import type { AuthService } from '../../auth/authService.js';
import type { RateLimiter } from '../../ratelimit/rateLimiter.js';
import { userDto } from '../presenters.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, publicRoute, type Endpoint } from '../route.js';
import { changePasswordBody } from '../profileSchemas.js';
import { loginBody, newPasswordSchema, refreshBody, registerBody, tokenPairSchema, userSchema } from '../schemas.js';
import { z } from 'zod';

const tags = ['auth'];

export function authRoutes(auth: AuthService, perIpLimiter: RateLimiter): Endpoint[] {
  // Unauthenticated routes are where guessing and flooding happen, so each call costs the caller's IP a point.
  const limitIp = (ip: string | undefined) => perIpLimiter.consume(ip ?? 'unknown');
  // The document states the policy the service applies, PASSWORD_MIN_LENGTH included.
  const newPassword = newPasswordSchema(auth.passwordPolicy);
  return [
    publicRoute({
      method: 'post',
      path: '/api/auth/register',
      summary: 'Create an account',
      tags,
      body: registerBody(newPassword),
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        201: { description: 'created', schema: z.object({ user: userSchema }) },
        400: { description: 'WEAK_PASSWORD: the password breaks the policy the schema states (details.failed names each rule)' },
        409: {
          description:
            'USERNAME_TAKEN: the name, or one that looks like it (details.confusableWith); an erased account keeps its ' +
            "username, it is never freed. DISPLAY_NAME_CONFUSABLE: the display name looks like another account's username",
        },
      },
      async handler({ body, req, requestId }) {
        await limitIp(req.ip);
        const account = await auth.register(
          { username: body.username, password: body.password, email: body.email ?? null, displayName: body.displayName ?? null },
          requestId,
        );
        return { status: 201, body: { user: userDto(account) } };
      },
    }),
    publicRoute({
      method: 'post',
      path: '/api/auth/login',
      summary: 'Exchange username and password for an access and a refresh token',
      tags,
      body: loginBody,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        200: { description: 'signed in', schema: tokenPairSchema },
        401: { description: 'INVALID_CREDENTIALS: no such username, or the wrong password (the answer does not say which)' },
        410: { description: "ACCOUNT_ERASED: the account's personal data was erased, which closed it for good (right password only)" },
      },
      async handler({ body, req }) {
        await limitIp(req.ip);
        const { tokens, account } = await auth.login(body.username, body.password);
        return { status: 200, body: { ...tokens, user: userDto(account) } };
      },
    }),
    publicRoute({
      method: 'post',
      path: '/api/auth/refresh',
      summary: 'Rotate a refresh token: the old one stops working; replaying it revokes the whole family',
      tags,
      body: refreshBody,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        200: { description: 'a new pair', schema: tokenPairSchema },
        401: { description: 'AUTH_FAILED: not a refresh token this service issued, or expired; TOKEN_REVOKED: already used (its family is revoked)' },
        410: { description: 'ACCOUNT_ERASED: the account was erased, which closed it for good (any of its unexpired refresh tokens)' },
      },
      async handler({ body, req }) {
        await limitIp(req.ip);
        const { tokens, account } = await auth.refresh(body.refreshToken);
        return { status: 200, body: { ...tokens, user: userDto(account) } };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'Revoke the access token and its refresh family',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 204: { description: 'signed out' } },
      async handler({ principal }) {
        await auth.logout(principal);
        return { status: 204 };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/auth/password',
      summary: 'Change your password: every other session ends, this one gets a new pair',
      description:
        'The current password must be right: a wrong one is 401 INVALID_CREDENTIALS and counts against the login ' +
        'lockout like a failed login. The new one must pass the password policy (WEAK_PASSWORD) and differ from the ' +
        'current one (VALIDATION_FAILED). Recorded as PasswordChanged on your user stream. Every refresh token you ' +
        'held is revoked and access tokens issued before the change stop working (REST and new WebSocket ' +
        'authentications); the answer carries a new pair for the device that made the change.',
      tags,
      body: changePasswordBody(newPassword),
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        200: { description: 'changed; a new pair', schema: tokenPairSchema },
        400: { description: 'WEAK_PASSWORD, or VALIDATION_FAILED (the same password again)' },
        401: { description: 'INVALID_CREDENTIALS: the current password is wrong' },
        429: { description: 'ACCOUNT_LOCKED: too many failed logins or password changes' },
      },
      async handler({ principal, body, requestId }) {
        const { tokens, account } = await auth.changePassword(principal, body, requestId);
        return { status: 200, body: { ...tokens, user: userDto(account) } };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/auth/me',
      summary: 'The signed-in user',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'the user', schema: z.object({ user: userSchema }) } },
      async handler({ principal }) {
        return { status: 200, body: { user: userDto(await auth.currentAccount(principal)) } };
      },
    }),
  ];
}
