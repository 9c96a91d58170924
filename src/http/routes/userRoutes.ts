import type { AccountCommands } from '../../commands/user/accountCommands.js';
import { publicProfileDto, userDto } from '../presenters.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, type Endpoint } from '../route.js';
import { publicProfileSchema, updateProfileBody, userIdParams } from '../profileSchemas.js';
import { userSchema } from '../schemas.js';
import { z } from 'zod';

const blocksSchema = z
  .object({ blocks: z.array(z.object({ userId: z.string(), blockedAt: z.string().meta({ format: 'date-time' }) })) })
  .meta({ id: 'Blocks' });

// Profiles (seed features 002/003): the signed-in user reads and changes their own (display name, status text,
// avatar URL); anybody signed in reads anybody's public profile. A change is ProfileUpdated on the user's stream.

const tags = ['users'];

export function userRoutes(accounts: AccountCommands): Endpoint[] {
  return [
    authedRoute({
      method: 'get',
      path: '/api/users/me',
      summary: 'The signed-in user with their profile',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'the user', schema: z.object({ user: userSchema }) } },
      async handler({ principal }) {
        return { status: 200, body: { user: userDto(await accounts.user(principal.userId)) } };
      },
    }),
    authedRoute({
      method: 'patch',
      path: '/api/users/me',
      summary: 'Change your display name, status text or avatar URL',
      description:
        'Fields left out keep their value. Recorded as ProfileUpdated on your user stream; a request that changes ' +
        'nothing records nothing. The answer already shows the new profile, and so does every read after it ' +
        '(members lists show the new display name).',
      tags,
      body: updateProfileBody,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        200: { description: 'the profile as it now is', schema: z.object({ user: userSchema }) },
        400: { description: 'VALIDATION_FAILED: details.issues name the field' },
        409: { description: "DISPLAY_NAME_CONFUSABLE: the display name looks like another account's username" },
      },
      async handler({ principal, body, requestId }) {
        const { user } = await accounts.updateProfile(principal, body, requestId);
        return { status: 200, body: { user: userDto(user) } };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/users/:userId',
      summary: "A user's public profile",
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: userIdParams,
      responses: {
        200: { description: 'the public profile', schema: z.object({ user: publicProfileSchema }) },
        404: { description: 'NO_USER' },
      },
      async handler({ params }) {
        return { status: 200, body: { user: publicProfileDto(await accounts.user(params.userId)) } };
      },
    }),
    ...(['put', 'delete'] as const).map((method) =>
      authedRoute({
        method,
        path: '/api/users/me/blocks/:userId',
        summary: method === 'put' ? 'Block a user; blocking one already blocked changes nothing' : 'Unblock a user; unblocking one not blocked changes nothing',
        description:
          'A user you block cannot open a direct room with you (they get 403 BLOCKED), their friend requests never ' +
          'reach your received list (they stay pending on their side), and their `@mentions` of you are neither ' +
          'counted (`mentionCount`) nor listed (GET /api/mentions). Nothing else tells them.',
        tags,
        body: NO_BODY,
        query: NO_QUERY,
        params: userIdParams,
        responses: {
          204: { description: method === 'put' ? 'the user is blocked' : 'the user is not blocked' },
          400: { description: 'VALIDATION_FAILED: yourself, or a 1001st blocked user (details.maxBlockedUsers)' },
          404: { description: 'NO_USER' },
        },
        async handler({ principal, params, requestId }) {
          await accounts.setBlocked(principal, params.userId, method === 'put', requestId);
          return { status: 204 };
        },
      }),
    ),
    authedRoute({
      method: 'get',
      path: '/api/users/me/blocks',
      summary: 'The users you blocked, the earliest first',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'your blocks', schema: blocksSchema } },
      async handler({ principal }) {
        const blocks = await accounts.blocks(principal);
        return { status: 200, body: { blocks: blocks.map(({ userId, blockedAt }) => ({ userId, blockedAt })) } };
      },
    }),
  ];
}
