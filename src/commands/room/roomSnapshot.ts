import { z } from 'zod';
import type { RoomKind, RoomRole } from '../../events/chatEvents.js';
import type { SnapshotCodec } from '../snapshots/streamSnapshots.js';
import type { MessageFacts, MessageReactions, RoomState } from './roomState.js';

// A room's state as a snapshot (commands/snapshots): the ledger's maps as arrays of entries, in their iteration
// order, which the state relies on (members in join order, messages in window order, pins in pin order). Only ids,
// roles and flags: the state keeps no message text and no sealed personal data, so a snapshot holds nothing that
// erasure would have to reach.

/** Bump when RoomState or what evolveRoom derives changes (see SnapshotCodec). */
export const ROOM_SNAPSHOT_FORMAT = 'room-state/1';

const roomKind = z.enum(['public', 'private', 'direct']) satisfies z.ZodType<RoomKind>;
const roomRole = z.enum(['owner', 'moderator', 'member']) satisfies z.ZodType<RoomRole>;
const count = z.number().int().nonnegative();

/** [seq, senderId, deleted, threadSeq (0: no thread)] */
const messageEntry = z.tuple([count, z.string(), z.boolean(), count]);
/** [seq, [[emoji, [userId…]]…]] */
const reactionEntry = z.tuple([count, z.array(z.tuple([z.string(), z.array(z.string())]))]);

const absentRoom = z.object({ exists: z.literal(false), version: count, messageWindow: count });
const existingRoom = z.object({
  exists: z.literal(true),
  roomId: z.string(),
  kind: roomKind,
  name: z.string(),
  topic: z.string(),
  createdBy: z.string(),
  version: count,
  messageWindow: count,
  members: z.array(z.tuple([z.string(), roomRole])),
  messages: z.array(messageEntry),
  reactions: z.array(reactionEntry),
  pins: z.array(count),
  messageWindowStart: count,
  appliedVersion: count,
});
const roomSnapshot = z.discriminatedUnion('exists', [absentRoom, existingRoom]);

export const roomSnapshotCodec: SnapshotCodec<RoomState> = {
  format: ROOM_SNAPSHOT_FORMAT,

  encode(state: RoomState): z.input<typeof roomSnapshot> {
    if (!state.exists) return { exists: false, version: state.version, messageWindow: state.messageWindow };
    const { ledger } = state;
    return {
      exists: true,
      roomId: state.roomId,
      kind: state.kind,
      name: state.name,
      topic: state.topic,
      createdBy: state.createdBy,
      version: state.version,
      messageWindow: state.messageWindow,
      members: [...ledger.members],
      messages: [...ledger.messages].map(([seq, facts]) => [seq, facts.senderId, facts.deleted, facts.threadSeq ?? 0]),
      reactions: [...ledger.reactions].map(([seq, byEmoji]) => [seq, [...byEmoji].map(([emoji, users]) => [emoji, [...users]])]),
      pins: [...ledger.pins],
      messageWindowStart: ledger.messageWindowStart,
      appliedVersion: ledger.appliedVersion,
    };
  },

  decode(value: unknown, initial: RoomState): RoomState | undefined {
    const parsed = roomSnapshot.safeParse(value);
    // A snapshot taken with another message window would hold more or fewer facts than this decider keeps.
    if (!parsed.success || parsed.data.messageWindow !== initial.messageWindow) return undefined;
    const snapshot = parsed.data;
    if (!snapshot.exists) return snapshot;
    const messages = new Map<number, MessageFacts>(
      snapshot.messages.map(([seq, senderId, deleted, threadSeq]) => [
        seq,
        threadSeq === 0 ? { senderId, deleted } : { senderId, deleted, threadSeq },
      ]),
    );
    const reactions = new Map<number, MessageReactions>(
      snapshot.reactions.map(([seq, byEmoji]) => [seq, new Map(byEmoji.map(([emoji, users]) => [emoji, new Set(users)]))]),
    );
    return {
      exists: true,
      roomId: snapshot.roomId,
      kind: snapshot.kind,
      name: snapshot.name,
      topic: snapshot.topic,
      createdBy: snapshot.createdBy,
      version: snapshot.version,
      messageWindow: snapshot.messageWindow,
      ledger: {
        members: new Map(snapshot.members),
        messages,
        reactions,
        pins: new Set(snapshot.pins),
        messageWindowStart: snapshot.messageWindowStart,
        appliedVersion: snapshot.appliedVersion,
      },
    };
  },
};
