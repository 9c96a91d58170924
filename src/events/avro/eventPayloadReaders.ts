import type {
  AttachmentRef,
  AuditReadKind,
  FileUploaded,
  ChatEvent,
  ChatEventType,
  MessageEdited,
  MessageSent,
  RoomKind,
  RoomRole,
  SealedValue,
  UserRegistered,
  UserRole,
} from '../chatEvents.js';
import type { AvroRecordReader } from './avroRecordReader.js';

// The enum symbols the current schemas declare, in schema order. `satisfies` plus the checks below keep these
// lists and the TypeScript unions equal, so a symbol added on one side only fails to compile.
export const USER_ROLES = ['user', 'admin', 'auditor', 'analyst'] as const satisfies readonly UserRole[];
export const ROOM_KINDS = ['public', 'private', 'direct'] as const satisfies readonly RoomKind[];
export const ROOM_ROLES = ['owner', 'moderator', 'member'] as const satisfies readonly RoomRole[];
export const AUDIT_READ_KINDS = ['streamEvents', 'messageVersions'] as const satisfies readonly AuditReadKind[];

type AllListed<Union, Listed> = Exclude<Union, Listed> extends never ? true : never;
const symbolListsAreComplete: [
  AllListed<UserRole, (typeof USER_ROLES)[number]>,
  AllListed<RoomKind, (typeof ROOM_KINDS)[number]>,
  AllListed<RoomRole, (typeof ROOM_ROLES)[number]>,
  AllListed<AuditReadKind, (typeof AUDIT_READ_KINDS)[number]>,
] = [true, true, true, true];
void symbolListsAreComplete;

type PayloadReaders = { [K in ChatEventType]: (data: AvroRecordReader) => Extract<ChatEvent, { type: K }> };

/** Builds each event's `type` and `data` from its decoded Avro `data` record. */
export const payloadReaders: PayloadReaders = {
  UsernameClaimed: (d) => ({
    type: 'UsernameClaimed',
    data: { username: d.string('username'), userId: d.string('userId') },
  }),
  UserRegistered: (d) => {
    const data: UserRegistered['data'] = {
      userId: d.string('userId'),
      username: d.string('username'),
      email: d.nullableString('email'),
      displayName: d.string('displayName'),
      passwordHash: d.string('passwordHash'),
      role: d.symbol('role', USER_ROLES),
    };
    addPersonalData(data, d, 'sealedEmail');
    return { type: 'UserRegistered', data };
  },
  UserRoleChanged: (d) => ({
    type: 'UserRoleChanged',
    data: { userId: d.string('userId'), role: d.symbol('role', USER_ROLES), changedBy: d.string('changedBy') },
  }),
  PersonalDataErased: (d) => ({
    type: 'PersonalDataErased',
    data: { userId: d.string('userId'), erasedBy: d.string('erasedBy') },
  }),
  ProfileUpdated: (d) => ({
    type: 'ProfileUpdated',
    data: {
      userId: d.string('userId'),
      displayName: d.string('displayName'),
      statusText: d.string('statusText'),
      avatarUrl: d.nullableString('avatarUrl'),
      avatarFileId: d.nullableString('avatarFileId'),
    },
  }),
  PasswordChanged: (d) => ({
    type: 'PasswordChanged',
    data: { userId: d.string('userId'), passwordHash: d.string('passwordHash') },
  }),
  IdentityLinked: (d) => ({
    type: 'IdentityLinked',
    data: { userId: d.string('userId'), provider: d.string('provider'), subject: d.string('subject') },
  }),
  AssistantUsageRecorded: (d) => ({
    type: 'AssistantUsageRecorded',
    data: {
      assistantId: d.string('assistantId'),
      roomId: d.string('roomId'),
      messageId: d.string('messageId'),
      askerId: d.string('askerId'),
      model: d.string('model'),
      promptTokens: d.long('promptTokens'),
      completionTokens: d.long('completionTokens'),
    },
  }),
  AssistantConfigured: (d) => ({
    type: 'AssistantConfigured',
    data: {
      userId: d.string('userId'),
      systemPrompt: d.string('systemPrompt'),
      model: d.string('model'),
      allowedRoomIds: d.strings('allowedRoomIds'),
      configuredBy: d.string('configuredBy'),
    },
  }),
  IdentityUnlinked: (d) => ({
    type: 'IdentityUnlinked',
    data: { userId: d.string('userId'), provider: d.string('provider'), subject: d.string('subject') },
  }),
  IdentityClaimed: (d) => ({
    type: 'IdentityClaimed',
    data: { provider: d.string('provider'), subject: d.string('subject'), userId: d.string('userId') },
  }),
  IdentityReleased: (d) => ({
    type: 'IdentityReleased',
    data: { provider: d.string('provider'), subject: d.string('subject'), userId: d.string('userId') },
  }),
  RoomCreated: (d) => ({
    type: 'RoomCreated',
    data: {
      roomId: d.string('roomId'),
      name: d.string('name'),
      kind: d.symbol('kind', ROOM_KINDS),
      createdBy: d.string('createdBy'),
    },
  }),
  MemberJoined: (d) => ({
    type: 'MemberJoined',
    data: {
      roomId: d.string('roomId'),
      userId: d.string('userId'),
      role: d.symbol('role', ROOM_ROLES),
      addedBy: d.nullableString('addedBy'),
    },
  }),
  MemberLeft: (d) => ({
    type: 'MemberLeft',
    data: { roomId: d.string('roomId'), userId: d.string('userId') },
  }),
  MemberRemoved: (d) => ({
    type: 'MemberRemoved',
    data: { roomId: d.string('roomId'), userId: d.string('userId'), removedBy: d.string('removedBy') },
  }),
  MemberRoleChanged: (d) => ({
    type: 'MemberRoleChanged',
    data: {
      roomId: d.string('roomId'),
      userId: d.string('userId'),
      role: d.symbol('role', ROOM_ROLES),
      changedBy: d.string('changedBy'),
    },
  }),
  MessageSent: (d) => {
    const data: MessageSent['data'] = {
      roomId: d.string('roomId'),
      messageId: d.string('messageId'),
      senderId: d.string('senderId'),
      text: d.string('text'),
      clientMessageId: d.string('clientMessageId'),
    };
    addPersonalData(data, d, 'sealedText');
    // Only when there are any, so a text-only message keeps the shape it always had.
    const attachments = d.records('attachments').map(attachmentRef);
    if (attachments.length > 0) data.attachments = attachments;
    const sealedNames = sealedValue(d, 'sealedNames');
    if (sealedNames !== undefined) data.sealedNames = sealedNames;
    addThread(data, d);
    return { type: 'MessageSent', data };
  },
  MessageEdited: (d) => {
    const data: MessageEdited['data'] = {
      roomId: d.string('roomId'),
      messageId: d.string('messageId'),
      text: d.string('text'),
      editedBy: d.string('editedBy'),
    };
    addPersonalData(data, d, 'sealedText');
    return { type: 'MessageEdited', data };
  },
  MessageDeleted: (d) => ({
    type: 'MessageDeleted',
    data: { roomId: d.string('roomId'), messageId: d.string('messageId'), deletedBy: d.string('deletedBy') },
  }),
  ReactionAdded: (d) => ({
    type: 'ReactionAdded',
    data: { roomId: d.string('roomId'), messageId: d.string('messageId'), userId: d.string('userId'), emoji: d.string('emoji') },
  }),
  ReactionRemoved: (d) => ({
    type: 'ReactionRemoved',
    data: { roomId: d.string('roomId'), messageId: d.string('messageId'), userId: d.string('userId'), emoji: d.string('emoji') },
  }),
  RoomRenamed: (d) => ({
    type: 'RoomRenamed',
    data: { roomId: d.string('roomId'), name: d.string('name'), renamedBy: d.string('renamedBy') },
  }),
  RoomTopicChanged: (d) => ({
    type: 'RoomTopicChanged',
    data: { roomId: d.string('roomId'), topic: d.string('topic'), changedBy: d.string('changedBy') },
  }),
  MessagePinned: (d) => ({
    type: 'MessagePinned',
    data: { roomId: d.string('roomId'), messageId: d.string('messageId'), pinnedBy: d.string('pinnedBy') },
  }),
  MessageUnpinned: (d) => ({
    type: 'MessageUnpinned',
    data: { roomId: d.string('roomId'), messageId: d.string('messageId'), unpinnedBy: d.string('unpinnedBy') },
  }),
  MessagesDelivered: (d) => ({
    type: 'MessagesDelivered',
    data: { userId: d.string('userId'), roomId: d.string('roomId'), seq: d.long('seq') },
  }),
  MessagesRead: (d) => ({
    type: 'MessagesRead',
    data: { userId: d.string('userId'), roomId: d.string('roomId'), seq: d.long('seq') },
  }),
  DeliveriesRecorded: (d) => ({
    type: 'DeliveriesRecorded',
    data: {
      roomId: d.string('roomId'),
      markers: d.records('markers').map((marker) => ({ userId: marker.string('userId'), seq: marker.long('seq') })),
    },
  }),
  FriendRequested: (d) => ({ type: 'FriendRequested', data: { from: d.string('from'), to: d.string('to') } }),
  FriendRequestAccepted: (d) => ({ type: 'FriendRequestAccepted', data: { from: d.string('from'), to: d.string('to') } }),
  FriendRequestRejected: (d) => ({ type: 'FriendRequestRejected', data: { from: d.string('from'), to: d.string('to') } }),
  FriendRequestCancelled: (d) => ({ type: 'FriendRequestCancelled', data: { from: d.string('from'), to: d.string('to') } }),
  FriendRemoved: (d) => ({
    type: 'FriendRemoved',
    data: { removedBy: d.string('removedBy'), friendId: d.string('friendId') },
  }),
  FileUploaded: (d) => {
    const data: FileUploaded['data'] = {
      fileId: d.string('fileId'),
      uploadedBy: d.string('uploadedBy'),
      name: d.string('name'),
      contentType: d.string('contentType'),
      size: d.long('size'),
      sha256: d.string('sha256'),
      width: d.nullableLong('width'),
      height: d.nullableLong('height'),
    };
    if (d.boolean('thumbnail')) data.thumbnail = true;
    addPersonalData(data, d, 'sealedName');
    return { type: 'FileUploaded', data };
  },
  FileDiscarded: (d) => ({
    type: 'FileDiscarded',
    data: { fileId: d.string('fileId'), discardedBy: d.string('discardedBy') },
  }),
  UserBlocked: (d) => ({
    type: 'UserBlocked',
    data: { userId: d.string('userId'), blockedUserId: d.string('blockedUserId') },
  }),
  UserUnblocked: (d) => ({
    type: 'UserUnblocked',
    data: { userId: d.string('userId'), blockedUserId: d.string('blockedUserId') },
  }),
  AuditLogRead: (d) => ({
    type: 'AuditLogRead',
    data: {
      auditorId: d.string('auditorId'),
      kind: d.symbol('kind', AUDIT_READ_KINDS),
      streamId: d.string('streamId'),
      messageId: d.nullableString('messageId'),
      fromVersion: d.long('fromVersion'),
      limit: d.long('limit'),
      returned: d.long('returned'),
    },
  }),
};

function attachmentRef(d: AvroRecordReader): AttachmentRef {
  return {
    fileId: d.string('fileId'),
    name: d.string('name'),
    contentType: d.string('contentType'),
    size: d.long('size'),
    sha256: d.string('sha256'),
    width: d.nullableLong('width'),
    height: d.nullableLong('height'),
    thumbnail: d.boolean('thumbnail'),
  };
}

type SealedFieldName = 'sealedText' | 'sealedEmail' | 'sealedName' | 'sealedNames';

/** A sealed personal data field (src/privacy), undefined when the stored event has none. */
function sealedValue(d: AvroRecordReader, field: SealedFieldName): SealedValue | undefined {
  const sealed = d.nullableRecord(field);
  if (sealed === undefined) return undefined;
  return {
    keyOwner: sealed.string('keyOwner'),
    iv: sealed.bytes('iv'),
    ciphertext: sealed.bytes('ciphertext'),
    tag: sealed.bytes('tag'),
  };
}

/**
 * Sets the crypto-shredding fields only when present, so events written before sealing keep exactly the shape they
 * always had (and deep equality in tests and consumers holds).
 */
function addPersonalData(
  data: { sealedText?: SealedValue; sealedEmail?: SealedValue; sealedName?: SealedValue; erased?: boolean },
  d: AvroRecordReader,
  field: 'sealedText' | 'sealedEmail' | 'sealedName',
): void {
  const sealed = sealedValue(d, field);
  if (sealed !== undefined) data[field] = sealed;
  if (d.boolean('erased')) data.erased = true;
}

/** A reply's place in its thread, and whom the text mentions; events written before either read as neither. */
function addThread(data: MessageSent['data'], d: AvroRecordReader): void {
  const replyTo = d.nullableString('replyTo');
  const threadId = d.nullableString('threadId');
  if (replyTo !== null) data.replyTo = replyTo;
  if (threadId !== null) data.threadId = threadId;
  const mentions = d.strings('mentions');
  if (mentions.length > 0) data.mentions = mentions;
}
