import { z } from 'zod';
import type { ChatCommands } from '../../commands/chatCommands.js';
import { MAX_REACTIONS_PER_MESSAGE } from '../../domain/reactionEmoji.js';
import { MAX_PINS_PER_ROOM } from '../../commands/room/roomDecider.js';
import type { ChatQueries } from '../../queries/chatQueries.js';
import { memberDto, messageDto, myRoomDto, roomDto } from '../presenters.js';
import { authedDirectRoute, authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, type Endpoint } from '../route.js';
import {
  addMemberBody,
  changeRoleBody,
  createRoomBody,
  editBody,
  editHistorySchema,
  listRoomsQuery,
  memberParams,
  memberSchema,
  messageIdParams,
  messagePageSchema,
  messageSchema,
  messagesQuery,
  pinParams,
  reactionParams,
  roomIdParams,
  roomSchema,
  roomSettingsBody,
  sendBody,
} from '../schemas.js';

const roomResponse = z.object({ room: roomSchema });
const roomsResponse = z.object({ rooms: z.array(roomSchema), nextCursor: z.string().optional() });
const membersResponse = z.object({ members: z.array(memberSchema) });
const messageResponse = z.object({ message: messageSchema });
const pinsResponse = z.object({ messages: z.array(messageSchema) });
const PIN_CAP_REFUSAL: Record<number, { description: string }> = {
  400: { description: `VALIDATION_FAILED: the room already has ${MAX_PINS_PER_ROOM} pinned messages (details.maxPinsPerRoom)` },
};

// The refusals of the room decider (commands/room/roomDecider.ts) and the read checks (queries/roomAccess.ts), as
// the routes below answer them. Checks run in a fixed order: the room exists, the caller may act, then the target.
const NO_ROOM = { 404: { description: 'NO_ROOM' } };
const READ_REFUSALS = { 403: { description: 'NOT_MEMBER: a private or direct room the caller is not in' }, ...NO_ROOM };
const TEXT_REFUSALS = {
  400: { description: 'EMPTY_CONTENT: nothing visible is left after trimming; INVALID_CONTENT: a control or bidi control character' },
  413: { description: 'MESSAGE_TOO_LONG: longer than MAX_MESSAGE_LENGTH characters after normalising' },
};

export function chatRoutes(commands: ChatCommands, queries: ChatQueries): Endpoint[] {
  const rooms = ['rooms'];
  const messages = ['messages'];
  return [
    authedRoute({
      method: 'get',
      path: '/api/chat/rooms',
      summary: "The caller's rooms, or public rooms with ?scope=public",
      description: "The caller's own rooms carry `unreadCount` and `readSeq`.",
      tags: rooms,
      body: NO_BODY,
      query: listRoomsQuery,
      params: NO_PARAMS,
      responses: { 200: { description: 'one page of rooms, by roomId', schema: roomsResponse } },
      async handler({ principal, query }) {
        const list =
          query.scope === 'public'
            ? await queries.listPublicRooms({ limit: query.limit, after: query.after }).then((page) => ({
                hasMore: page.hasMore,
                rooms: page.rooms.map((room) => roomDto(room, null)),
              }))
            : await queries.listMyRooms(principal, { limit: query.limit, after: query.after }).then((page) => ({
                hasMore: page.hasMore,
                rooms: page.rooms.map(myRoomDto),
              }));
        const last = list.rooms.at(-1);
        return { status: 200, body: { rooms: list.rooms, ...(list.hasMore && last ? { nextCursor: last.roomId } : {}) } };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/chat/rooms',
      summary: 'Create a public, private or direct room',
      description:
        'A direct room has exactly one other member and is unique per pair: asking again returns the same room (200).',
      tags: rooms,
      body: createRoomBody,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        201: { description: 'created', schema: roomResponse },
        200: { description: 'the direct room already existed', schema: roomResponse },
        400: {
          description:
            'INVALID_ROOM: a direct room without exactly one other member; VALIDATION_FAILED (details.field "name"): ' +
            'a group room without a name of plain text on one line',
        },
        403: { description: 'BLOCKED: the other member of a direct room blocked the caller' },
        404: { description: 'NO_USER: a member id names nobody' },
        409: { description: 'ROOM_FULL: more members than a room holds; ROOM_EXISTS: a direct room the caller left (join it instead)' },
      },
      async handler({ principal, body, requestId }) {
        const outcome = await commands.createRoom(
          principal,
          { name: body.name, kind: body.kind, memberIds: body.memberIds ?? [] },
          requestId,
        );
        const myRole = body.kind === 'direct' ? 'member' : 'owner';
        return { status: outcome.changed ? 201 : 200, body: { room: roomDto(outcome.room, myRole) } };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/chat/rooms/:roomId',
      summary: 'One room (members only, or anyone for public rooms)',
      tags: rooms,
      body: NO_BODY,
      query: NO_QUERY,
      params: roomIdParams,
      responses: { 200: { description: 'the room', schema: roomResponse }, ...READ_REFUSALS },
      async handler({ principal, params }) {
        const { room, myRole } = await queries.getRoom(principal, params.roomId);
        return { status: 200, body: { room: roomDto(room, myRole) } };
      },
    }),
    authedRoute({
      method: 'patch',
      path: '/api/chat/rooms/:roomId',
      summary: "Rename a group room or set its topic (owner or moderator)",
      description:
        'Absent fields keep their value. Only what changed is recorded, as `RoomRenamed` and `RoomTopicChanged` ' +
        'events that subscribers receive as chat.events; sending the current values records nothing.',
      tags: rooms,
      body: roomSettingsBody,
      query: NO_QUERY,
      params: roomIdParams,
      responses: {
        200: { description: 'the room as it is now', schema: roomResponse },
        400: {
          description:
            'VALIDATION_FAILED (details.field "name" or "topic"): a name that is not one line of visible plain text ' +
            'within the name limit, or a topic that is not one line of plain text within 250 characters',
        },
        403: { description: 'FORBIDDEN: a direct room, or a caller who is neither its owner nor a moderator; NOT_MEMBER' },
        ...NO_ROOM,
      },
      async handler({ principal, params, body, requestId }) {
        const settings = {
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.topic === undefined ? {} : { topic: body.topic }),
        };
        const outcome = await commands.updateRoomSettings(principal, params.roomId, settings, requestId);
        const { myRole } = await queries.getRoom(principal, params.roomId);
        return { status: 200, body: { room: roomDto(outcome.room, myRole) } };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/chat/rooms/:roomId/join',
      summary: 'Join a public room (joining twice is harmless)',
      tags: rooms,
      body: NO_BODY,
      query: NO_QUERY,
      params: roomIdParams,
      responses: {
        200: { description: 'the room', schema: roomResponse },
        403: { description: "FORBIDDEN: a private room (invitation only) or somebody else's direct room" },
        ...NO_ROOM,
        409: { description: 'ROOM_FULL' },
      },
      async handler({ principal, params, requestId }) {
        const outcome = await commands.joinRoom(principal, params.roomId, requestId);
        return { status: 200, body: { room: roomDto(outcome.room, 'member') } };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/chat/rooms/:roomId/leave',
      summary: 'Leave a room; an owner who leaves hands ownership to the longest-standing moderator or member',
      tags: rooms,
      body: NO_BODY,
      query: NO_QUERY,
      params: roomIdParams,
      responses: { 204: { description: 'left' }, 403: { description: 'NOT_MEMBER' }, ...NO_ROOM },
      async handler({ principal, params, requestId }) {
        await commands.leaveRoom(principal, params.roomId, requestId);
        return { status: 204 };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/chat/rooms/:roomId/members',
      summary: 'Current members in join order',
      tags: rooms,
      body: NO_BODY,
      query: NO_QUERY,
      params: roomIdParams,
      responses: { 200: { description: 'members', schema: membersResponse }, ...READ_REFUSALS },
      async handler({ principal, params }) {
        const members = await queries.getMembers(principal, params.roomId);
        return { status: 200, body: { members: members.map(memberDto) } };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/chat/rooms/:roomId/members',
      summary: 'Add a member to a private room (owner or moderator)',
      tags: rooms,
      body: addMemberBody,
      query: NO_QUERY,
      params: roomIdParams,
      responses: {
        200: { description: 'the room', schema: roomResponse },
        403: { description: 'FORBIDDEN: not a private room, or the caller is not its owner or a moderator; NOT_MEMBER' },
        404: { description: 'NO_ROOM, NO_USER' },
        409: { description: 'ROOM_FULL' },
      },
      async handler({ principal, params, body, requestId }) {
        const outcome = await commands.addMember(principal, params.roomId, body.userId, requestId);
        const { myRole } = await queries.getRoom(principal, params.roomId);
        return { status: 200, body: { room: roomDto(outcome.room, myRole) } };
      },
    }),
    authedRoute({
      method: 'delete',
      path: '/api/chat/rooms/:roomId/members/:userId',
      summary: 'Remove a member (owner, moderator or admin)',
      tags: rooms,
      body: NO_BODY,
      query: NO_QUERY,
      params: memberParams,
      responses: {
        204: { description: 'removed' },
        403: {
          description:
            'FORBIDDEN: a direct room, oneself (leave instead), or a caller who may not remove that member; NOT_MEMBER: ' +
            'the caller or the user is not in the room',
        },
        ...NO_ROOM,
      },
      async handler({ principal, params, requestId }) {
        await commands.removeMember(principal, params.roomId, params.userId, requestId);
        return { status: 204 };
      },
    }),
    authedRoute({
      method: 'patch',
      path: '/api/chat/rooms/:roomId/members/:userId',
      summary: "Change a member's role (owner or admin)",
      tags: rooms,
      body: changeRoleBody,
      query: NO_QUERY,
      params: memberParams,
      responses: {
        200: { description: 'the room', schema: roomResponse },
        403: {
          description:
            "FORBIDDEN: a direct room, a caller who is not the owner or an admin, or the owner's own role; NOT_MEMBER: " +
            'the caller or the user is not in the room',
        },
        ...NO_ROOM,
      },
      async handler({ principal, params, body, requestId }) {
        const outcome = await commands.changeMemberRole(principal, params.roomId, params.userId, body.role, requestId);
        const { myRole } = await queries.getRoom(principal, params.roomId);
        return { status: 200, body: { room: roomDto(outcome.room, myRole) } };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/chat/rooms/:roomId/pins',
      summary: "The room's pinned messages, most recently pinned first (members, or anyone for public rooms)",
      tags: messages,
      body: NO_BODY,
      query: NO_QUERY,
      params: roomIdParams,
      responses: { 200: { description: `the pinned messages, at most ${MAX_PINS_PER_ROOM}`, schema: pinsResponse }, ...READ_REFUSALS },
      async handler({ principal, params }) {
        const pinned = await queries.getPinnedMessages(principal, params.roomId);
        return { status: 200, body: { messages: pinned.map(messageDto) } };
      },
    }),
    ...[
      { method: 'put', summary: 'Pin a message of the room (owner or moderator); pinning it again changes nothing' },
      { method: 'delete', summary: 'Unpin a message (owner or moderator); unpinning one that is not pinned changes nothing' },
    ].map(({ method, summary }) =>
      authedRoute({
        method: method === 'put' ? 'put' : 'delete',
        path: '/api/chat/rooms/:roomId/pins/:messageId',
        summary,
        description:
          `A room has at most ${MAX_PINS_PER_ROOM} pinned messages; deleting a message unpins it. Members see each ` +
          'change live as a `MessagePinned` / `MessageUnpinned` chat.event.',
        tags: messages,
        body: NO_BODY,
        query: NO_QUERY,
        params: pinParams,
        responses: {
          204: { description: method === 'put' ? 'the message is pinned' : 'the message is not pinned' },
          ...(method === 'put' ? PIN_CAP_REFUSAL : {}),
          403: { description: 'FORBIDDEN: the caller is neither the owner nor a moderator; NOT_MEMBER' },
          404: {
            description:
              'NO_MESSAGE: no such message in this room' + (method === 'put' ? ', or it was deleted' : '') + '; NO_ROOM',
          },
        },
        async handler({ principal, params, requestId }) {
          await commands.setPinned(principal, params.roomId, params.messageId, method === 'put', requestId);
          return { status: 204 };
        },
      }),
    ),
    authedDirectRoute({
      method: 'get',
      path: '/api/chat/rooms/:roomId/messages',
      summary: 'A page of history, oldest first within the page',
      description:
        'No cursor: the latest page. `before=SEQ` pages backwards, `after=SEQ` forwards; both: the messages strictly ' +
        'between them, paged forwards (an empty page when there is no seq between them).',
      tags: messages,
      body: NO_BODY,
      query: messagesQuery,
      params: roomIdParams,
      responses: { 200: { description: 'a page', schema: messagePageSchema }, ...READ_REFUSALS },
      async handler({ principal, params, query }) {
        const page = await queries.getMessages(principal, params.roomId, query);
        return { status: 200, body: { ...page, messages: page.messages.map(messageDto) } };
      },
    }),
    authedDirectRoute({
      method: 'post',
      path: '/api/chat/send',
      summary: 'Send a message; retrying with the same clientMessageId returns the same message',
      tags: messages,
      body: sendBody(commands.maxMessageLength),
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        201: { description: 'sent', schema: messageResponse },
        200: { description: 'a retry: the message sent the first time', schema: messageResponse },
        ...TEXT_REFUSALS,
        403: { description: 'NOT_MEMBER' },
        404: { description: 'NO_ROOM; NO_MESSAGE: `replyTo` is no message of this room, or a deleted one' },
        429: { description: 'RATE_LIMIT_EXCEEDED: SEND_LIMIT_PER_SECOND or SEND_LIMIT_PER_MINUTE (a retry is not counted)' },
      },
      async handler({ principal, body, requestId }) {
        const { message, replayed } = await commands.sendMessage(principal, body, requestId);
        return { status: replayed ? 200 : 201, body: { message: messageDto(message) } };
      },
    }),
    authedRoute({
      method: 'patch',
      path: '/api/chat/messages/:messageId',
      summary: 'Edit a message (sender only); the earlier text is kept in its edit history',
      tags: messages,
      body: editBody(commands.maxMessageLength),
      query: NO_QUERY,
      params: messageIdParams,
      responses: {
        200: { description: 'edited', schema: messageResponse },
        ...TEXT_REFUSALS,
        403: { description: 'NOT_MEMBER; NOT_SENDER: somebody else sent it' },
        404: { description: 'NO_MESSAGE, NO_ROOM' },
        409: { description: 'MESSAGE_DELETED' },
      },
      async handler({ principal, params, body, requestId }) {
        const message = await commands.editMessage(principal, params.messageId, body.text, requestId);
        return { status: 200, body: { message: messageDto(message) } };
      },
    }),
    authedRoute({
      method: 'delete',
      path: '/api/chat/messages/:messageId',
      summary: 'Delete a message (sender, room moderator or admin); it keeps its seq with text null',
      tags: messages,
      body: NO_BODY,
      query: NO_QUERY,
      params: messageIdParams,
      responses: {
        204: { description: 'deleted' },
        403: { description: 'NOT_MEMBER; FORBIDDEN: neither its sender, a moderator of the room nor an admin' },
        404: { description: 'NO_MESSAGE, NO_ROOM' },
      },
      async handler({ principal, params, requestId }) {
        await commands.deleteMessage(principal, params.messageId, requestId);
        return { status: 204 };
      },
    }),
    ...[
      { method: 'put', summary: "Add the caller's reaction to a message (members); adding it again changes nothing" },
      { method: 'delete', summary: "Take back the caller's reaction; taking back one they do not have changes nothing" },
    ].map(({ method, summary }) =>
      authedRoute({
        method: method === 'put' ? 'put' : 'delete',
        path: '/api/chat/messages/:messageId/reactions/:emoji',
        summary,
        description:
          `One reaction per user, emoji and message. A message carries at most ${MAX_REACTIONS_PER_MESSAGE} different emoji; members see each ` +
          "change live as a `ReactionAdded` / `ReactionRemoved` chat.event, and the message's `reactions` in history.",
        tags: messages,
        body: NO_BODY,
        query: NO_QUERY,
        params: reactionParams,
        responses: {
          204: { description: method === 'put' ? 'the caller has this reaction' : 'the caller no longer has this reaction' },
          400: {
            description:
              'VALIDATION_FAILED (details.field "emoji"): not one emoji or `:short_name:`' +
              (method === 'put' ? `, or a new emoji on a message that already has ${MAX_REACTIONS_PER_MESSAGE} (details.maxReactionsPerMessage)` : ''),
          },
          403: { description: 'NOT_MEMBER' },
          404: { description: 'NO_MESSAGE: no such message, or it was deleted; NO_ROOM' },
        },
        async handler({ principal, params, requestId }) {
          if (method === 'put') await commands.addReaction(principal, params.messageId, params.emoji, requestId);
          else await commands.removeReaction(principal, params.messageId, params.emoji, requestId);
          return { status: 204 };
        },
      }),
    ),
    authedRoute({
      method: 'get',
      path: '/api/chat/messages/:messageId/history',
      summary: "A message's earlier texts (sender, room moderators, admins)",
      tags: messages,
      body: NO_BODY,
      query: NO_QUERY,
      params: messageIdParams,
      responses: {
        200: { description: 'edits, oldest first', schema: editHistorySchema },
        403: { description: "NOT_MEMBER; FORBIDDEN: neither its sender nor one of the room's moderators" },
        404: { description: 'NO_MESSAGE, NO_ROOM' },
        409: { description: 'MESSAGE_DELETED: its earlier texts went with it (auditors read them in the audit API)' },
      },
      async handler({ principal, params }) {
        const { edits } = await queries.getEditHistory(principal, params.messageId);
        return { status: 200, body: { edits } };
      },
    }),
  ];
}
