import type { PresenceService } from '../../presence/presenceService.js';
import type { ChatQueries } from '../../queries/chatQueries.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, type Endpoint } from '../route.js';
import { presenceListSchema, presenceQuery, splitUserIds } from '../presenceSchemas.js';
import { roomIdParams } from '../schemas.js';

export function presenceRoutes(presence: PresenceService, queries: ChatQueries): Endpoint[] {
  const tags = ['presence'];
  return [
    authedRoute({
      method: 'get',
      path: '/api/presence',
      summary: 'Online state and last seen of up to 100 users',
      description: 'Unknown ids answer as offline, never seen. Repeated ids answer once, in the order first asked.',
      tags,
      body: NO_BODY,
      query: presenceQuery,
      params: NO_PARAMS,
      responses: { 200: { description: 'one entry per distinct id', schema: presenceListSchema } },
      async handler({ query }) {
        const userIds = [...new Set(splitUserIds(query.userIds))];
        return { status: 200, body: { presence: await presence.get(userIds) } };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/chat/rooms/:roomId/presence',
      summary: "Presence of a room's members, in join order (who may read the room may see it)",
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: roomIdParams,
      responses: {
        200: { description: 'one entry per member', schema: presenceListSchema },
        403: { description: 'NOT_MEMBER: a private or direct room the caller is not in' },
        404: { description: 'NO_ROOM' },
      },
      async handler({ principal, params }) {
        // The same rule as the member list: whoever may see the members may see whether they are online.
        const members = await queries.getMembers(principal, params.roomId);
        return { status: 200, body: { presence: await presence.get(members.map((member) => member.userId)) } };
      },
    }),
  ];
}
