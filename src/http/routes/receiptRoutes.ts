import type { ChatQueries } from '../../queries/chatQueries.js';
import type { ReceiptCommands } from '../../receipts/receiptCommands.js';
import { receiptDto } from '../presenters.js';
import { authedRoute, NO_BODY, NO_QUERY, type Endpoint } from '../route.js';
import { markReadBody, receiptsSchema, roomIdParams } from '../schemas.js';

/** Read markers over REST; the gateway reports deliveries and `chat.read` frames through the same recorder. */
export function receiptRoutes(receipts: ReceiptCommands, queries: ChatQueries): Endpoint[] {
  const tags = ['receipts'];
  return [
    authedRoute({
      method: 'post',
      path: '/api/chat/rooms/:roomId/read',
      summary: 'Mark the room read up to a seq (members only); a seq at or below the current marker changes nothing',
      description: 'Answers once the marker is recorded and the room list shows the new unreadCount.',
      tags,
      body: markReadBody,
      query: NO_QUERY,
      params: roomIdParams,
      responses: {
        204: { description: 'recorded' },
        400: { description: "VALIDATION_FAILED: seq is negative or beyond the room's headSeq" },
        403: { description: 'NOT_MEMBER' },
        404: { description: 'NO_ROOM' },
      },
      async handler({ principal, params, body }) {
        await receipts.markRead(principal, params.roomId, body.seq);
        return { status: 204 };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/chat/rooms/:roomId/receipts',
      summary: "Members' delivery and read markers, in join order (members, or anyone for public rooms)",
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: roomIdParams,
      responses: {
        200: { description: 'one entry per current member', schema: receiptsSchema },
        403: { description: 'NOT_MEMBER: a private or direct room the caller is not in' },
        404: { description: 'NO_ROOM' },
      },
      async handler({ principal, params }) {
        const list = await queries.getReceipts(principal, params.roomId);
        return { status: 200, body: { receipts: list.map(receiptDto) } };
      },
    }),
  ];
}
