import type { IncomingMessage } from 'node:http';
import type { AccessPrincipal } from '../auth/accessTokens.js';
import { AuthenticationError } from '../domain/errors.js';

/** The principal of the request's `Authorization: Bearer <access token>`; AUTH_REQUIRED without one. */
export async function bearerPrincipal(
  req: IncomingMessage,
  authenticate: (token: string) => Promise<AccessPrincipal>,
): Promise<AccessPrincipal> {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
  if (!match?.[1]) throw new AuthenticationError('AUTH_REQUIRED', 'a bearer access token is required');
  return authenticate(match[1]);
}
