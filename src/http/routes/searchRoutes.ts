import { z } from 'zod';
import { ValidationError } from '../../domain/errors.js';
import type { SearchQueries } from '../../queries/searchQueries.js';
import { messageDto } from '../presenters.js';
import { authedRoute, NO_BODY, NO_PARAMS, type Endpoint } from '../route.js';
import { messageSchema } from '../schemas.js';
import { encodeSearchCursor, searchQuery } from '../searchSchemas.js';

const searchResponse = z
  .object({
    messages: z.array(messageSchema),
    nextCursor: z.string().optional().meta({ description: 'pass as before= (same q, roomId and order) for the next page' }),
  })
  .meta({ id: 'SearchPage' });

export function searchRoutes(queries: SearchQueries): Endpoint[] {
  return [
    authedRoute({
      method: 'get',
      path: '/api/chat/search',
      summary: 'Full-text search over the messages the caller may read now',
      description:
        'Rooms the caller is a member of now, and public rooms, or only `roomId`. Only current texts are found: an ' +
        'edit replaces the old text, a deleted or erased message is never found. `order=date` (default) is newest ' +
        'first; `order=relevance` ranks the newest 300 matches best first. A page may hold fewer than `limit` ' +
        'messages and still carry a `nextCursor` (a search over all rooms looks at a bounded number of matches per ' +
        'page); stop when there is none.',
      tags: ['messages'],
      body: NO_BODY,
      query: searchQuery,
      params: NO_PARAMS,
      responses: {
        200: { description: 'a page of matches', schema: searchResponse },
        400: {
          description:
            'VALIDATION_FAILED: q empty, too long, with no letter or digit, or with too many words; a limit out of ' +
            '1..50; a before= that is not a cursor of this search or of another order (details.issues name the field)',
        },
        403: { description: 'NOT_MEMBER: roomId is a private or direct room the caller is not in' },
        404: { description: 'NO_ROOM: roomId names no room' },
        429: { description: 'RATE_LIMIT_EXCEEDED: too many searches (Retry-After says when to try again)' },
      },
      async handler({ principal, query }) {
        if (query.before !== undefined && query.before.order !== query.order) {
          throw new ValidationError('invalid query', {
            part: 'query',
            issues: [{ path: 'before', code: 'custom', message: `a cursor of order=${query.before.order}, not ${query.order}` }],
          });
        }
        const result = await queries.search(principal, {
          text: query.q,
          roomId: query.roomId,
          order: query.order,
          limit: query.limit,
          from: query.before,
        });
        return {
          status: 200,
          body: {
            messages: result.messages.map(messageDto),
            ...(result.next !== undefined ? { nextCursor: encodeSearchCursor(result.next) } : {}),
          },
        };
      },
    }),
  ];
}
