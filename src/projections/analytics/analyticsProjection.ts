// The analytics projection's pure core: which counters one recorded event moves. Imports nothing from I/O, so the
// memory store (embedded) and a Redis store (distributed) count the same things and only differ in how.

import type { RecordedEvent } from '../../events/envelope.js';

/** Times are milliseconds since the epoch (UTC); a bucket is named by its start. */
export type EpochMillis = number;

export type Granularity = 'minute' | 'hour';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Text length ranges in code points; the last is open so a raised MAX_MESSAGE_LENGTH still has a home. */
export const MESSAGE_SIZE_BUCKETS = [
  { bucket: '1-10', min: 1, max: 10 },
  { bucket: '11-50', min: 11, max: 50 },
  { bucket: '51-200', min: 51, max: 200 },
  { bucket: '201-500', min: 201, max: 500 },
  { bucket: '501-1000', min: 501, max: 1000 },
  { bucket: '1001+', min: 1001, max: null },
] as const;

export type MessageSizeBucket = (typeof MESSAGE_SIZE_BUCKETS)[number]['bucket'];

/** One more message in a room during the bucket of the given granularity that starts at bucketStart. */
export interface RoomMessageCounted {
  op: 'roomMessageCounted';
  roomId: string;
  granularity: Granularity;
  bucketStart: EpochMillis;
}

/** The sender was active on the UTC day starting at dayStart (a set: counting them twice changes nothing). */
export interface SenderActive {
  op: 'senderActive';
  userId: string;
  dayStart: EpochMillis;
}

export interface MessageSized {
  op: 'messageSized';
  bucket: MessageSizeBucket;
}

/** An assistant's answer used these tokens (issue #19): summed per assistant and model, never pruned. */
export interface AssistantTokensUsed {
  op: 'assistantTokensUsed';
  assistantId: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

export type AnalyticsUpdate = RoomMessageCounted | SenderActive | MessageSized | AssistantTokensUsed;

/**
 * The counter updates one event asks for. Only MessageSent counts: analytics measures what was said and when,
 * so a later edit or delete leaves the counts of the original message as they were.
 */
export function analyticsUpdates(event: RecordedEvent): AnalyticsUpdate[] {
  switch (event.type) {
    case 'MessageSent': {
      const at = event.metadata.occurredAt;
      const { roomId, senderId, text } = event.data;
      return [
        { op: 'roomMessageCounted', roomId, granularity: 'minute', bucketStart: bucketStart(at, 'minute') },
        { op: 'roomMessageCounted', roomId, granularity: 'hour', bucketStart: bucketStart(at, 'hour') },
        { op: 'senderActive', userId: senderId, dayStart: dayStart(at) },
        { op: 'messageSized', bucket: messageSizeBucket(text) },
      ];
    }
    case 'UsernameClaimed':
    case 'UserRegistered':
    case 'UserRoleChanged':
    case 'PersonalDataErased':
    case 'ProfileUpdated':
    case 'PasswordChanged':
    case 'RoomCreated':
    case 'MemberJoined':
    case 'MemberLeft':
    case 'MemberRemoved':
    case 'MemberRoleChanged':
    case 'MessageEdited':
    case 'MessageDeleted':
    case 'ReactionAdded':
    case 'ReactionRemoved':
    case 'RoomRenamed':
    case 'RoomTopicChanged':
    case 'MessagePinned':
    case 'MessageUnpinned':
    case 'MessagesDelivered':
    case 'MessagesRead':
    case 'DeliveriesRecorded':
    case 'AuditLogRead':
    case 'FriendRequested':
    case 'FriendRequestAccepted':
    case 'FriendRequestRejected':
    case 'FriendRequestCancelled':
    case 'FriendRemoved':
    case 'IdentityLinked':
    case 'IdentityUnlinked':
    case 'AssistantConfigured':
    case 'IdentityClaimed':
    case 'IdentityReleased':
    case 'FileUploaded':
    case 'FileDiscarded':
    case 'UserBlocked':
    case 'UserUnblocked':
      return [];
    case 'AssistantUsageRecorded': {
      const { assistantId, model, promptTokens, completionTokens } = event.data;
      return [{ op: 'assistantTokensUsed', assistantId, model, promptTokens, completionTokens }];
    }
    default:
      return unreachable(event);
  }
}

/** The start of the UTC minute or hour holding `at` (epoch time has no leap seconds, so plain arithmetic). */
export function bucketStart(at: EpochMillis, granularity: Granularity): EpochMillis {
  const size = granularity === 'minute' ? MINUTE_MS : HOUR_MS;
  return Math.floor(at / size) * size;
}

/** The start of the UTC day holding `at`. */
export function dayStart(at: EpochMillis): EpochMillis {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

/** Length in code points, as the message-length rule counts it (an emoji is one, not two UTF-16 units). */
export function messageSizeBucket(text: string): MessageSizeBucket {
  const length = [...text].length;
  for (const range of MESSAGE_SIZE_BUCKETS) {
    if (range.max === null || length <= range.max) return range.bucket;
  }
  // The last range is open-ended, so the loop always returns; this satisfies the compiler without a cast.
  return '1001+';
}

function unreachable(event: never): never {
  throw new Error(`analyticsUpdates: unhandled event ${JSON.stringify(event)}`);
}
