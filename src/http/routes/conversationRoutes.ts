import type { ChatQueries } from '../../queries/chatQueries.js';
import { messageDto } from '../presenters.js';
import { authedRoute, NO_BODY, type Endpoint } from '../route.js';
import { messageIdParams, threadQuery, threadSchema } from '../schemas.js';

// What conversations add to history (#17, API.md "Conversations"): threads. Their own file, beside chatRoutes.ts,
// so that neither grows past what one reader takes in.

export function conversationRoutes(queries: ChatQueries): Endpoint[] {
  const messages = ['messages'];
  return [
    authedRoute({
      method: 'get',
      path: '/api/chat/messages/:messageId/thread',
      summary: "A thread: its root and a page of the root's replies, oldest first",
      description:
        'Send a reply with `replyTo` on POST /api/chat/send (or chat.send); a reply to a reply joins the root\'s thread. ' +
        "Named by a reply, this is that reply's thread. A deleted root still heads its thread, with `text` null. " +
        'Readable by whoever may read the room (members; anyone signed in for a public room).',
      tags: messages,
      body: NO_BODY,
      query: threadQuery,
      params: messageIdParams,
      responses: {
        200: { description: 'the root, and its replies after `after` (oldest first)', schema: threadSchema },
        403: { description: 'NOT_MEMBER: a private or direct room the caller is not in' },
        404: { description: 'NO_MESSAGE, NO_ROOM' },
      },
      async handler({ principal, params, query }) {
        const thread = await queries.getThread(principal, params.messageId, query);
        return {
          status: 200,
          body: {
            root: messageDto(thread.root),
            messages: thread.messages.map(messageDto),
            ...(thread.nextCursor === undefined ? {} : { nextCursor: thread.nextCursor }),
          },
        };
      },
    }),
  ];
}
