import type { AuthService } from '../../auth/authService.js';
import type { RateLimiter } from '../../ratelimit/rateLimiter.js';
import { userDto } from '../presenters.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, publicRoute, type Endpoint } from '../route.js';
import { loginBody, refreshBody, registerBody, tokenPairSchema, userSchema } from '../schemas.js';
import { z } from 'zod';

const tags = ['auth'];

export function authRoutes(auth: AuthService, perIpLimiter: RateLimiter): Endpoint[] {
  // Unauthenticated routes are where guessing and flooding happen, so each call costs the caller's IP a point.
  const limitIp = (ip: string | undefined) => perIpLimiter.consume(ip ?? 'unknown');
  return [
    publicRoute({
      method: 'post',
      path: '/api/auth/register',
      summary: 'Create an account',
      tags,
      body: registerBody,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 201: { description: 'created', schema: z.object({ user: userSchema }) }, 409: { description: 'USERNAME_TAKEN' } },
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
      responses: { 200: { description: 'signed in', schema: tokenPairSchema } },
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
      responses: { 200: { description: 'a new pair', schema: tokenPairSchema } },
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
