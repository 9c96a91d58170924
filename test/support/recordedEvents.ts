// Builds RecordedEvents the way a log would record them: stream versions counted per stream, positions counted
// per partition (one partition unless asked for more, like the SQLite log), a clock that moves forward. For
// projection tests that need no real event log.

import type { AttachmentRef, ChatEvent, DeliveryMarker, FileUploaded, RoomKind, RoomRole, UserRole } from '../../src/events/chatEvents.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { EMPTY_CHECKPOINT, advance, covers, type Checkpoint } from '../../src/eventlog/checkpoint.js';
import { GATEWAY_REPORTER } from '../../src/commands/deliveries/gatewayReporter.js';
import {
  deliveriesStreamId,
  messageIdOf,
  receiptsStreamId,
  roomStreamId,
  userStreamId,
  usernameStreamId,
} from '../../src/domain/ids.js';

export interface RecordOptions {
  actorId?: string | null;
  /** Milliseconds since the epoch; default: the builder's clock, which moves one second per event. */
  at?: number;
}

export interface SentMessage {
  event: RecordedEvent;
  seq: number;
  messageId: string;
}

export interface RecordedEventLogOptions {
  startAt?: number;
  /** The position of the first event of each partition. Default 1. */
  firstPosition?: number;
  /** Partitions the streams are spread over (by a hash of the stream id). Default 1, as in the SQLite log. */
  partitions?: number;
}

export class RecordedEventLog {
  /** Every event recorded so far, in the order recorded (one valid interleaving of the partitions). */
  readonly events: RecordedEvent[] = [];
  private readonly versions = new Map<string, number>();
  private readonly partitions: number;
  private readonly firstPosition: number;
  private last: Checkpoint = EMPTY_CHECKPOINT;
  private clock: number;
  private nextId = 1;

  constructor(options: RecordedEventLogOptions = {}) {
    this.clock = options.startAt ?? Date.UTC(2025, 0, 1, 12, 0, 0);
    this.firstPosition = options.firstPosition ?? 1;
    this.partitions = options.partitions ?? 1;
  }

  /** The position of the last event of each partition (the empty checkpoint when none). */
  get head(): Checkpoint {
    return this.last;
  }

  /** The partition a stream's events go to: a stable hash, not Kafka's (tests only need a spread). */
  partitionOf(streamId: string): number {
    let hash = 0;
    for (const char of streamId) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 1_000_003;
    return hash % this.partitions;
  }

  /** The current version of a stream (0 when it has no event). */
  versionOf(streamId: string): number {
    return this.versions.get(streamId) ?? 0;
  }

  /** Records one event at the end of its stream and of the log. */
  record<E extends ChatEvent>(streamId: string, event: E, options: RecordOptions = {}): RecordedEvent<E> {
    const streamVersion = this.versionOf(streamId) + 1;
    this.versions.set(streamId, streamVersion);
    const partition = this.partitionOf(streamId);
    const position = Math.max(this.last[partition] ?? 0, this.firstPosition - 1) + 1;
    this.last = advance(this.last, { partition, position });
    const occurredAt = options.at ?? this.clock;
    this.clock = Math.max(this.clock, occurredAt) + 1000;
    const id = this.nextId++;
    const recorded: RecordedEvent<E> = {
      ...event,
      eventId: `evt-${id}`,
      streamId,
      streamVersion,
      partition,
      position,
      previousHash: null,
      metadata: {
        actorId: options.actorId === undefined ? null : options.actorId,
        commandId: `cmd-${id}`,
        correlationId: `corr-${id}`,
        occurredAt,
      },
    };
    this.events.push(recorded);
    return recorded;
  }

  /** Events the checkpoint does not cover, in the order recorded. */
  since(checkpoint: Checkpoint = EMPTY_CHECKPOINT): RecordedEvent[] {
    return this.events.filter((event) => !covers(checkpoint, event));
  }

  registerUser(
    userId: string,
    username: string,
    details: { email?: string | null; displayName?: string; role?: UserRole; passwordHash?: string } = {},
    options: RecordOptions = {},
  ): RecordedEvent[] {
    return [
      this.record(usernameStreamId(username), { type: 'UsernameClaimed', data: { username, userId } }, options),
      this.record(
        userStreamId(userId),
        {
          type: 'UserRegistered',
          data: {
            userId,
            username,
            email: details.email === undefined ? `${userId}@example.test` : details.email,
            displayName: details.displayName ?? username,
            passwordHash: details.passwordHash ?? `$argon2id$hash-of-${userId}`,
            role: details.role ?? 'user',
          },
        },
        options,
      ),
    ];
  }

  /** An admin changed the user's service-wide role. */
  changeUserRole(userId: string, role: UserRole, changedBy = 'u-admin', options: RecordOptions = {}): RecordedEvent {
    return this.record(userStreamId(userId), { type: 'UserRoleChanged', data: { userId, role, changedBy } }, {
      actorId: changedBy,
      ...options,
    });
  }

  /** The user changed their profile (the whole profile after the change). */
  updateProfile(
    userId: string,
    profile: { displayName: string; statusText?: string; avatarUrl?: string | null },
    options: RecordOptions = {},
  ): RecordedEvent {
    const data = {
      userId,
      displayName: profile.displayName,
      statusText: profile.statusText ?? '',
      avatarUrl: profile.avatarUrl ?? null,
      avatarFileId: null,
    };
    return this.record(userStreamId(userId), { type: 'ProfileUpdated', data }, { actorId: userId, ...options });
  }

  /** The user changed their password. */
  changePassword(userId: string, passwordHash: string, options: RecordOptions = {}): RecordedEvent {
    return this.record(userStreamId(userId), { type: 'PasswordChanged', data: { userId, passwordHash } }, {
      actorId: userId,
      ...options,
    });
  }

  /** The user's personal data key was destroyed (crypto-shredding). */
  erasePersonalData(userId: string, erasedBy = 'system:cli', options: RecordOptions = {}): RecordedEvent {
    return this.record(userStreamId(userId), { type: 'PersonalDataErased', data: { userId, erasedBy } }, {
      actorId: erasedBy,
      ...options,
    });
  }

  /** RoomCreated followed by the creator joining as owner, as the create-room decider records it. */
  createRoom(roomId: string, name: string, kind: RoomKind, createdBy: string, options: RecordOptions = {}): RecordedEvent[] {
    const actor = { actorId: createdBy, ...options };
    return [
      this.record(roomStreamId(roomId), { type: 'RoomCreated', data: { roomId, name, kind, createdBy } }, actor),
      this.join(roomId, createdBy, 'owner', null, options),
    ];
  }

  join(
    roomId: string,
    userId: string,
    role: RoomRole = 'member',
    addedBy: string | null = null,
    options: RecordOptions = {},
  ): RecordedEvent {
    return this.record(
      roomStreamId(roomId),
      { type: 'MemberJoined', data: { roomId, userId, role, addedBy } },
      { actorId: addedBy ?? userId, ...options },
    );
  }

  leave(roomId: string, userId: string, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      roomStreamId(roomId),
      { type: 'MemberLeft', data: { roomId, userId } },
      { actorId: userId, ...options },
    );
  }

  remove(roomId: string, userId: string, removedBy: string, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      roomStreamId(roomId),
      { type: 'MemberRemoved', data: { roomId, userId, removedBy } },
      { actorId: removedBy, ...options },
    );
  }

  changeRole(roomId: string, userId: string, role: RoomRole, changedBy: string, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      roomStreamId(roomId),
      { type: 'MemberRoleChanged', data: { roomId, userId, role, changedBy } },
      { actorId: changedBy, ...options },
    );
  }

  /** A message whose seq is its stream version, with the id ids.ts derives from it. */
  send(
    roomId: string,
    senderId: string,
    text: string,
    options: RecordOptions & {
      clientMessageId?: string;
      attachments?: AttachmentRef[];
      thread?: { replyTo: string; threadId: string };
      mentions?: string[];
    } = {},
  ): SentMessage {
    const seq = this.versionOf(roomStreamId(roomId)) + 1;
    const messageId = messageIdOf(roomId, seq);
    const { attachments, thread, mentions, ...recordOptions } = options;
    const event = this.record(
      roomStreamId(roomId),
      {
        type: 'MessageSent',
        data: {
          roomId,
          messageId,
          senderId,
          text,
          clientMessageId: options.clientMessageId ?? `client-${messageId}`,
          ...(attachments && attachments.length > 0 ? { attachments } : {}),
          ...thread,
          ...(mentions && mentions.length > 0 ? { mentions } : {}),
        },
      },
      { actorId: senderId, ...recordOptions },
    );
    return { event, seq, messageId };
  }

  /** An upload on its own `file-<fileId>` stream (issue #16); an image unless `data` says otherwise. */
  uploadFile(fileId: string, uploadedBy: string, data: Partial<FileUploaded['data']> = {}, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      `file-${fileId}`,
      {
        type: 'FileUploaded',
        data: {
          fileId,
          uploadedBy,
          name: `${fileId}.png`,
          contentType: 'image/png',
          size: 100,
          sha256: 'c'.repeat(64),
          width: 20,
          height: 10,
          thumbnail: true,
          ...data,
        },
      },
      { actorId: uploadedBy, ...options },
    );
  }

  /** What one answer of an assistant cost (issue #19), in its usage stream. */
  assistantUsage(assistantId: string, model: string, promptTokens: number, completionTokens: number, options: RecordOptions = {}): RecordedEvent {
    const answer = `r-answers.${this.versionOf(`assistant-usage-${assistantId}`) + 1}`;
    return this.record(
      `assistant-usage-${assistantId}`,
      { type: 'AssistantUsageRecorded', data: { assistantId, roomId: 'r-answers', messageId: answer, askerId: 'u-alice', model, promptTokens, completionTokens } },
      { actorId: assistantId, ...options },
    );
  }

  /** The sweeper removed an unsent upload. */
  discardFile(fileId: string, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      `file-${fileId}`,
      { type: 'FileDiscarded', data: { fileId, discardedBy: 'system:files' } },
      { actorId: 'system:files', ...options },
    );
  }

  edit(roomId: string, seq: number, text: string, editedBy: string, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      roomStreamId(roomId),
      { type: 'MessageEdited', data: { roomId, messageId: messageIdOf(roomId, seq), text, editedBy } },
      { actorId: editedBy, ...options },
    );
  }

  delete(roomId: string, seq: number, deletedBy: string, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      roomStreamId(roomId),
      { type: 'MessageDeleted', data: { roomId, messageId: messageIdOf(roomId, seq), deletedBy } },
      { actorId: deletedBy, ...options },
    );
  }

  /** `userId` reacted to message `seq` with `emoji` (or, `added` false, took the reaction back). */
  react(roomId: string, seq: number, userId: string, emoji: string, added = true, options: RecordOptions = {}): RecordedEvent {
    const data = { roomId, messageId: messageIdOf(roomId, seq), userId, emoji };
    return this.record(
      roomStreamId(roomId),
      added ? { type: 'ReactionAdded', data } : { type: 'ReactionRemoved', data },
      { actorId: userId, ...options },
    );
  }

  /** The room's name (RoomRenamed) or topic (RoomTopicChanged) changed. */
  changeSetting(roomId: string, setting: 'name' | 'topic', value: string, by = 'u-alice', options: RecordOptions = {}): RecordedEvent {
    return this.record(
      roomStreamId(roomId),
      setting === 'name'
        ? { type: 'RoomRenamed', data: { roomId, name: value, renamedBy: by } }
        : { type: 'RoomTopicChanged', data: { roomId, topic: value, changedBy: by } },
      { actorId: by, ...options },
    );
  }

  /** The owner pinned message `seq` (or, `pinned` false, unpinned it). */
  pin(roomId: string, seq: number, pinned = true, by = 'u-alice', options: RecordOptions = {}): RecordedEvent {
    const messageId = messageIdOf(roomId, seq);
    return this.record(
      roomStreamId(roomId),
      pinned
        ? { type: 'MessagePinned', data: { roomId, messageId, pinnedBy: by } }
        : { type: 'MessageUnpinned', data: { roomId, messageId, unpinnedBy: by } },
      { actorId: by, ...options },
    );
  }

  /** Members' delivery markers for the room moved, reported by the gateway in the room's deliveries stream. */
  deliveries(roomId: string, markers: DeliveryMarker[], options: RecordOptions = {}): RecordedEvent {
    return this.record(
      deliveriesStreamId(roomId),
      { type: 'DeliveriesRecorded', data: { roomId, markers } },
      { actorId: GATEWAY_REPORTER.userId, ...options },
    );
  }

  /** The user's delivery marker for the room moved to `seq`, in the user's own receipts stream (older logs). */
  delivered(userId: string, roomId: string, seq: number, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      receiptsStreamId(userId),
      { type: 'MessagesDelivered', data: { userId, roomId, seq } },
      { actorId: userId, ...options },
    );
  }

  /** The user's read marker for the room moved to `seq`, in the user's own receipts stream. */
  read(userId: string, roomId: string, seq: number, options: RecordOptions = {}): RecordedEvent {
    return this.record(
      receiptsStreamId(userId),
      { type: 'MessagesRead', data: { userId, roomId, seq } },
      { actorId: userId, ...options },
    );
  }
}
