import type { ChatQueries } from '../../queries/chatQueries.js';
import { messageDto } from '../presenters.js';
import { authedRoute, NO_BODY, NO_PARAMS, type Endpoint } from '../route.js';
import { mentionsQuery, mentionsSchema, messageIdParams, threadQuery, threadSchema } from '../schemas.js';

// What conversations add to history (#17, API.md "Conversations"): threads and mentions. Their own file, beside chatRoutes.ts,
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
    authedRoute({
      method: 'get',
      path: '/api/mentions',
      summary: 'The messages that `@mention` the caller, newest first',
      description:
        'A `@username` in a text mentions that user when they are a member of the room as it is sent; the rooms list ' +
        'counts them after the read marker (`mentionCount`). Listed only in rooms the caller may read now, never ' +
        'deleted, and never from a user the caller blocked.',
      tags: messages,
      body: NO_BODY,
      query: mentionsQuery,
      params: NO_PARAMS,
      responses: {
        200: { description: 'newest first', schema: mentionsSchema },
        404: { description: 'NO_MESSAGE: `before` names no message that mentions the caller' },
      },
      async handler({ principal, query }) {
        const page = await queries.listMentions(principal, query);
        return {
          status: 200,
          body: { messages: page.messages.map(messageDto), ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) },
        };
      },
    }),
  ];
}
