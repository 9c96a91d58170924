import { z } from 'zod';
import type { UserAdministration } from '../../commands/user/userAdministration.js';
import { ForbiddenError } from '../../domain/errors.js';
import { authedRoute, NO_BODY, NO_QUERY, type Endpoint } from '../route.js';
import { codePointString } from '../schemas.js';

// Admin routes on accounts: the same use case as `chat users grant|revoke` (commands/user/userAdministration.ts).

const roleBody = z.strictObject({
  role: z.enum(['user', 'admin', 'auditor', 'analyst']).meta({ description: 'the new service-wide role; `user` revokes any other' }),
});
const userParams = z.strictObject({ userId: codePointString(200, 1) });
const roleResponse = z
  .object({
    user: z.object({
      userId: z.string(),
      username: z.string(),
      role: z.enum(['user', 'admin', 'auditor', 'analyst']),
      erased: z.boolean(),
    }),
    changed: z.boolean().meta({ description: 'false when the user already had the role: nothing was recorded' }),
  })
  .meta({ id: 'RoleChange' });
const erasureResponse = z
  .object({
    user: roleResponse.shape.user,
    keyDestroyed: z.boolean().meta({ description: 'this call destroyed the key (false: it was destroyed already)' }),
    recorded: z.boolean().meta({ description: 'this call recorded PersonalDataErased (false: it was recorded already)' }),
  })
  .meta({ id: 'Erasure' });

/** Routes for the `admin` role; everyone else gets 403 FORBIDDEN before anything is looked up. */
export function adminRoutes(administration: UserAdministration): Endpoint[] {
  return [
    authedRoute({
      method: 'put',
      path: '/api/admin/users/:userId/role',
      summary: "Set a user's service-wide role (admin only)",
      description:
        'Recorded as UserRoleChanged on the user\'s stream. Tokens issued from then on (login, refresh) carry the new ' +
        'role; access tokens already issued keep theirs until they expire (ACCESS_TOKEN_TTL_SECONDS).',
      tags: ['admin'],
      body: roleBody,
      query: NO_QUERY,
      params: userParams,
      responses: {
        200: { description: 'the role now held', schema: roleResponse },
        403: { description: 'FORBIDDEN: only admins change roles' },
        404: { description: 'NO_USER' },
      },
      async handler({ principal, params, body }) {
        if (principal.role !== 'admin') throw new ForbiddenError('FORBIDDEN', "only an admin changes a user's role");
        const outcome = await administration.grant(principal, params.userId, body.role);
        return { status: 200, body: outcome };
      },
    }),
    // The back office's erase button (issue #20); the same use case as `chat users erase`.
    authedRoute({
      method: 'delete',
      path: '/api/admin/users/:userId',
      summary: "Erase a user's personal data (admin only)",
      description:
        "Destroys the user's personal data key (their message texts and e-mail become unreadable for good), voids " +
        'their tokens and records PersonalDataErased; the account is closed. Idempotent. Cannot be undone.',
      tags: ['admin'],
      body: NO_BODY,
      query: NO_QUERY,
      params: userParams,
      responses: {
        200: { description: 'erased (now or before)', schema: erasureResponse },
        403: { description: 'FORBIDDEN: only admins erase' },
        404: { description: 'NO_USER' },
      },
      async handler({ principal, params }) {
        if (principal.role !== 'admin') throw new ForbiddenError('FORBIDDEN', "only an admin erases a user's personal data");
        return { status: 200, body: await administration.erase(principal, params.userId) };
      },
    }),
  ];
}
