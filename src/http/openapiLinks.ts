// OpenAPI links: where the ids one operation answers with are used next. They document the natural flows for
// client authors (create a room, then send to it; send, then edit) and let Schemathesis's stateful phase walk them
// against real rooms and messages instead of ids it made up. openapi.ts attaches each to its source operation (and
// leaves out one whose operations this process does not serve); platform.e2e checks that the served document has
// every link of this table, so a renamed path fails a test instead of silently dropping a flow.

/** `METHOD /path` as the document spells it (OpenAPI path templates). */
export type OperationKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

export interface OperationLink {
  from: OperationKey;
  /** The success statuses of `from` whose answer carries the values. */
  statuses: number[];
  name: string;
  to: OperationKey;
  description: string;
  /** Target parameter name → runtime expression ($response.body#/..., $request.path.x). */
  parameters?: Record<string, string>;
  /** Fields of the target's body → runtime expressions; the rest of the body is the client's own. */
  requestBody?: Record<string, string>;
  /**
   * The requestBody is the whole body (OpenAPI's own reading), for a body that is one of several shapes, where
   * adding fields to another shape would make it none of them. Schemathesis merges unless told (x-schemathesis).
   */
  wholeBody?: true;
}

const ROOM = '$response.body#/room/roomId';
const MESSAGE = '$response.body#/message/messageId';

/** The operations that follow from having a room id: read it, join or leave it, talk in it. */
function roomFlows(from: OperationKey, statuses: number[]): OperationLink[] {
  const to = (name: string, target: OperationKey, description: string, extra: Partial<OperationLink> = {}): OperationLink => ({
    from,
    statuses,
    name,
    to: target,
    description,
    parameters: { roomId: ROOM },
    ...extra,
  });
  const links: OperationLink[] = [
    to('GetRoom', 'GET /api/chat/rooms/{roomId}', 'the room'),
    to('GetMembers', 'GET /api/chat/rooms/{roomId}/members', 'its members'),
    to('GetMessages', 'GET /api/chat/rooms/{roomId}/messages', 'its history'),
    to('GetReceipts', 'GET /api/chat/rooms/{roomId}/receipts', "its members' read markers"),
    to('GetPresence', 'GET /api/chat/rooms/{roomId}/presence', "its members' presence"),
    to('JoinRoom', 'POST /api/chat/rooms/{roomId}/join', 'join it'),
    to('LeaveRoom', 'POST /api/chat/rooms/{roomId}/leave', 'leave it'),
    to('AddMember', 'POST /api/chat/rooms/{roomId}/members', 'add somebody (private rooms)'),
    to('MarkRead', 'POST /api/chat/rooms/{roomId}/read', 'mark it read up to its latest event', {
      requestBody: { seq: '$response.body#/room/headSeq' },
    }),
    {
      from,
      statuses,
      name: 'SendMessage',
      to: 'POST /api/chat/send',
      description: 'send a message to it',
      requestBody: { roomId: ROOM },
    },
  ];
  return links.filter((link) => link.to !== from);
}

/** The operations that follow from a message id: edit it, delete it, read its edits. */
function messageFlows(from: OperationKey, statuses: number[], messageId: string): OperationLink[] {
  return [
    { from, statuses, name: 'EditMessage', to: 'PATCH /api/chat/messages/{messageId}', description: 'edit it', parameters: { messageId } },
    { from, statuses, name: 'DeleteMessage', to: 'DELETE /api/chat/messages/{messageId}', description: 'delete it', parameters: { messageId } },
    {
      from,
      statuses,
      name: 'GetEditHistory',
      to: 'GET /api/chat/messages/{messageId}/history',
      description: 'its earlier texts',
      parameters: { messageId },
    },
  ];
}

/** The operations that take another user's id. */
function userFlows(from: OperationKey, statuses: number[], userId: string): OperationLink[] {
  const to = (name: string, target: OperationKey, description: string): OperationLink => ({
    from,
    statuses,
    name,
    to: target,
    description,
    parameters: { userId },
  });
  return [
    to('GetUser', 'GET /api/users/{userId}', 'their public profile'),
    to('AcceptFriendRequest', 'POST /api/friends/requests/{userId}/accept', 'accept their friend request'),
    to('RejectFriendRequest', 'POST /api/friends/requests/{userId}/reject', 'turn their friend request down'),
    to('CancelFriendRequest', 'DELETE /api/friends/requests/{userId}', 'withdraw your request to them'),
    to('RemoveFriend', 'DELETE /api/friends/{userId}', 'end the friendship'),
  ];
}

export const OPERATION_LINKS: readonly OperationLink[] = [
  ...roomFlows('POST /api/chat/rooms', [201, 200]),
  ...roomFlows('POST /api/chat/rooms/{roomId}/join', [200]),
  ...roomFlows('GET /api/chat/rooms/{roomId}', [200]),
  ...messageFlows('POST /api/chat/send', [201, 200], MESSAGE),
  ...messageFlows('PATCH /api/chat/messages/{messageId}', [200], MESSAGE),
  {
    from: 'POST /api/chat/send',
    statuses: [201, 200],
    name: 'GetMessages',
    to: 'GET /api/chat/rooms/{roomId}/messages',
    description: 'the history around it',
    parameters: { roomId: '$response.body#/message/roomId', after: '$response.body#/message/seq' },
  },
  {
    from: 'POST /api/chat/send',
    statuses: [201, 200],
    name: 'MarkRead',
    to: 'POST /api/chat/rooms/{roomId}/read',
    description: 'mark the room read up to it',
    parameters: { roomId: '$response.body#/message/roomId' },
    requestBody: { seq: '$response.body#/message/seq' },
  },
  ...userFlows('POST /api/auth/register', [201], '$response.body#/user/userId'),
  {
    from: 'POST /api/auth/register',
    statuses: [201],
    name: 'RequestFriend',
    to: 'POST /api/friends/requests',
    description: 'ask the new user to be friends',
    requestBody: { username: '$response.body#/user/username' },
    wholeBody: true,
  },
  ...userFlows('POST /api/friends/requests', [201], '$response.body#/user/userId'),
  {
    from: 'POST /api/auth/login',
    statuses: [200],
    name: 'Refresh',
    to: 'POST /api/auth/refresh',
    description: 'rotate the refresh token',
    requestBody: { refreshToken: '$response.body#/refreshToken' },
  },
  {
    from: 'POST /api/auth/refresh',
    statuses: [200],
    name: 'Refresh',
    to: 'POST /api/auth/refresh',
    description: 'rotate the new refresh token in turn',
    requestBody: { refreshToken: '$response.body#/refreshToken' },
  },
];
