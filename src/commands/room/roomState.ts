import type { RoomEvent, RoomKind, RoomRole } from '../../events/chatEvents.js';
import type { RecordedEvent } from '../../events/envelope.js';
import { parseMessageId } from '../../domain/ids.js';

/**
 * How many of a room's most recent messages the state keeps facts for. The state must stay bounded
 * (DESIGN.md: "recent message ids and senders, not every message"); commands about older messages need their
 * facts injected with `withMessageFacts` after a look-up in the history view.
 */
export const DEFAULT_ROOM_MESSAGE_WINDOW = 10_000;

/** What the decider needs to know about one message: who may edit it and whether it is gone. */
export interface MessageFacts {
  readonly senderId: string;
  readonly deleted: boolean;
  /** For a reply, the seq of its thread's root, which a reply to it joins; absent for a message that is no reply. */
  readonly threadSeq?: number;
}

/** A message's reactions: emoji → who reacted with it. An emoji nobody holds any more has no entry. */
export type MessageReactions = Map<string, Set<string>>;

/** What an older message's look-up injects (withMessageFacts): its facts and, optionally, its reactions. */
export interface OldMessageFacts extends MessageFacts {
  readonly reactions?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** A room stream with no RoomCreated yet. */
export interface AbsentRoom {
  readonly exists: false;
  /** Version of the stream (0 unless the log holds events before a RoomCreated, which evolve ignores). */
  readonly version: number;
  /** Capacity of the message window, carried so that evolve needs no configuration of its own. */
  readonly messageWindow: number;
}

/**
 * The part of a room's state that grows with its stream: kept in maps that evolve updates in place (see
 * evolveRoom for why, and why that is safe).
 */
export interface RoomLedger {
  /**
   * Current members and their room roles. Iteration order is join order (Map keeps insertion order; a role
   * change keeps the member's place, leaving and rejoining moves them to the end), which is how the
   * longest-standing member is found when ownership has to pass on.
   */
  readonly members: Map<string, RoomRole>;
  /**
   * Message facts by seq: complete for every seq ≥ messageWindowStart, plus older messages injected with
   * `withMessageFacts`. At most `messageWindow` entries.
   */
  readonly messages: Map<number, MessageFacts>;
  /**
   * Reactions by seq, for messages that have any and whose facts `messages` holds: bounded with it (an entry
   * goes when its message's facts are evicted), and each message holds at most MAX_REACTIONS_PER_MESSAGE emoji of
   * at most maxRoomMembers users.
   */
  readonly reactions: Map<number, MessageReactions>;
  /** The seqs of the pinned messages, in pin order; at most MAX_PINS_PER_ROOM, whatever the message window. */
  readonly pins: Set<number>;
  /** The lowest seq from which `messages` is authoritative; below it, a seq missing from `messages` is unknown. */
  messageWindowStart: number;
  /** The last stream version folded into this ledger. */
  appliedVersion: number;
}

export interface ExistingRoom {
  readonly exists: true;
  readonly roomId: string;
  readonly kind: RoomKind;
  readonly name: string;
  /** "" when none was set. */
  readonly topic: string;
  readonly createdBy: string;
  /** The stream version: the seq of the last event. The next event's seq is version + 1. */
  readonly version: number;
  readonly messageWindow: number;
  readonly ledger: RoomLedger;
}

export type RoomState = AbsentRoom | ExistingRoom;

export function initialRoomState(messageWindow: number = DEFAULT_ROOM_MESSAGE_WINDOW): RoomState {
  if (!Number.isSafeInteger(messageWindow) || messageWindow < 1) {
    throw new RangeError(`message window must be a positive integer, got ${messageWindow}`);
  }
  return { exists: false, version: 0, messageWindow };
}

/**
 * Folds one recorded event into the room state.
 *
 * Evolve MUTATES the ledger (members, message facts, window start) and returns a fresh top-level object that
 * shares it. Loading a stream calls evolve once per event, and copying maps of up to `messageWindow` entries per
 * event would make a load quadratic. The usual way to use it is to fold forward and keep only the result.
 *
 * An older state object that shares the ledger stays harmless, because the ledger records the last version it
 * folded: evolving the older object again with events the ledger already holds changes nothing (the log is
 * append-only, so they are the same events) and just brings the version up; deciding on the older object sees
 * the newer ledger, so it refuses by a newer truth or emits events for a version the log's expected-version check
 * rejects. `decide` never mutates, and `withMessageFacts` copies.
 *
 * The log is the truth: an event that makes no sense for the current state (a second RoomCreated, a role change
 * for someone who is not a member) changes nothing but the version, instead of making the stream unloadable.
 */
export function evolveRoom(state: RoomState, event: RecordedEvent<RoomEvent>): RoomState {
  const version = event.streamVersion;
  if (!state.exists) {
    if (event.type !== 'RoomCreated') return { ...state, version };
    return {
      exists: true,
      roomId: event.data.roomId,
      kind: event.data.kind,
      name: event.data.name,
      topic: '',
      createdBy: event.data.createdBy,
      version,
      messageWindow: state.messageWindow,
      ledger: {
        members: new Map(),
        messages: new Map(),
        reactions: new Map(),
        pins: new Set(),
        // Every message of the room comes after its RoomCreated, so the window covers them all from here on.
        messageWindowStart: version + 1,
        appliedVersion: version,
      },
    };
  }
  const { ledger } = state;
  if (version > ledger.appliedVersion) {
    applyToLedger(ledger, event, state.messageWindow);
    ledger.appliedVersion = version;
  }
  // Settings live on the state object itself, not the shared ledger: setting them again from the same event is
  // harmless, so an older object evolved again ends up with the same values.
  if (event.type === 'RoomRenamed') return { ...state, name: event.data.name, version };
  if (event.type === 'RoomTopicChanged') return { ...state, topic: event.data.topic, version };
  return { ...state, version };
}

function applyToLedger(ledger: RoomLedger, event: RecordedEvent<RoomEvent>, messageWindow: number): void {
  switch (event.type) {
    case 'RoomCreated':
      return;
    case 'MemberJoined':
      ledger.members.set(event.data.userId, event.data.role);
      return;
    case 'MemberLeft':
    case 'MemberRemoved':
      ledger.members.delete(event.data.userId);
      return;
    case 'MemberRoleChanged':
      if (ledger.members.has(event.data.userId)) ledger.members.set(event.data.userId, event.data.role);
      return;
    case 'MessageSent': {
      const threadSeq = event.data.threadId === undefined ? undefined : parseMessageId(event.data.threadId)?.seq;
      const facts: MessageFacts = { senderId: event.data.senderId, deleted: false };
      ledger.messages.set(event.streamVersion, threadSeq === undefined ? facts : { ...facts, threadSeq });
      evictOldMessages(ledger, messageWindow, event.streamVersion);
      return;
    }
    case 'MessageEdited':
      // The text is not kept (the state stays small), and an edit changes neither sender nor deletion.
      return;
    case 'MessageDeleted': {
      const seq = parseMessageId(event.data.messageId)?.seq;
      const facts = seq === undefined ? undefined : ledger.messages.get(seq);
      if (seq !== undefined && facts) ledger.messages.set(seq, { ...facts, deleted: true });
      // A deleted message is no longer pinned: it frees its place under the cap.
      if (seq !== undefined) ledger.pins.delete(seq);
      return;
    }
    case 'MessagePinned':
    case 'MessageUnpinned': {
      const seq = parseMessageId(event.data.messageId)?.seq;
      if (seq === undefined) return;
      if (event.type === 'MessagePinned') ledger.pins.add(seq);
      else ledger.pins.delete(seq);
      return;
    }
    case 'RoomRenamed':
    case 'RoomTopicChanged':
      // Kept on the state object (evolveRoom), not in the ledger.
      return;
    case 'ReactionAdded':
    case 'ReactionRemoved': {
      const seq = parseMessageId(event.data.messageId)?.seq;
      // Reactions of a message whose facts are not held (evicted, or never injected) are not kept either.
      if (seq === undefined || !ledger.messages.has(seq)) return;
      applyReaction(ledger, seq, event.data.emoji, event.data.userId, event.type === 'ReactionAdded');
      return;
    }
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled room event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Adds or takes back one user's reaction in place; an emoji left without users, and a message without emoji, go. */
function applyReaction(ledger: RoomLedger, seq: number, emoji: string, userId: string, added: boolean): void {
  const reactions = ledger.reactions.get(seq) ?? new Map<string, Set<string>>();
  const users = reactions.get(emoji) ?? new Set<string>();
  if (added) users.add(userId);
  else users.delete(userId);
  if (users.size > 0) reactions.set(emoji, users);
  else reactions.delete(emoji);
  if (reactions.size > 0) ledger.reactions.set(seq, reactions);
  else ledger.reactions.delete(seq);
}

/** The reactions the state holds for message `seq` (empty when none, or when its facts are not held). */
export function reactionsOf(room: ExistingRoom, seq: number): ReadonlyMap<string, ReadonlySet<string>> {
  return room.ledger.reactions.get(seq) ?? new Map<string, Set<string>>();
}

/**
 * Drops the oldest window entries while the map is over capacity, moving the window start past them. Window entries
 * are keyed by seq from messageWindowStart up, so they are found by walking that start forward: each version is
 * passed once over the stream's life. (Taking the map's first key instead costs a walk over every entry deleted
 * before it, which V8 keeps as holes until the table is rebuilt: ~7 µs an event at the 10,000 window, 7 s of
 * blocked event loop to load a room of a million messages.) The message just added stays; if injected older facts
 * still keep the map over capacity, they go in insertion order.
 */
function evictOldMessages(ledger: RoomLedger, capacity: number, newestSeq: number): void {
  while (ledger.messages.size > capacity && ledger.messageWindowStart < newestSeq) {
    const seq = ledger.messageWindowStart;
    ledger.messages.delete(seq);
    ledger.reactions.delete(seq);
    ledger.messageWindowStart = seq + 1;
  }
  evictInInsertionOrder(ledger, capacity);
}

/**
 * Drops the first inserted entries while the map is over capacity: window entries in seq order, injected older
 * facts wherever they were added. The window start only moves forward, so dropping an injected fact (whose seq is
 * below it already) leaves the window as it was. Cheap on a fresh copy (no holes) or when nothing is over.
 */
function evictInInsertionOrder(ledger: RoomLedger, capacity: number): void {
  // Checked first: even the first step of the iteration walks over the holes.
  if (ledger.messages.size <= capacity) return;
  for (const seq of ledger.messages.keys()) {
    if (ledger.messages.size <= capacity) return;
    ledger.messages.delete(seq);
    ledger.reactions.delete(seq);
    ledger.messageWindowStart = Math.max(ledger.messageWindowStart, seq + 1);
  }
}

/**
 * True when a command about message `seq` needs that message's facts looked up (in the history view) and
 * injected with `withMessageFacts` before deciding: the seq is in the stream but older than the window, and no
 * facts were injected for it. Without them the decider answers NO_MESSAGE.
 */
export function needsMessageLookup(state: RoomState, seq: number): boolean {
  if (!state.exists || !Number.isSafeInteger(seq)) return false;
  const { ledger } = state;
  return seq >= 1 && seq < ledger.messageWindowStart && seq <= state.version && !ledger.messages.has(seq);
}

/**
 * A copy of the state that also knows the facts of an older message (seq below the window). Facts for seqs the
 * window already covers, or beyond the stream's version, are ignored: there the state itself is the truth.
 * If the look-up finds no message at that seq, inject nothing; the decider then answers NO_MESSAGE.
 *
 * Copies the ledger (never mutates `state`); this happens once per command about an old message, not per event.
 * If the map is full, the oldest window entry makes room (the window start moves past it), so a long-lived
 * state (a command processor's cache) stays bounded however many facts it collects.
 */
export function withMessageFacts(state: RoomState, seq: number, facts: OldMessageFacts): RoomState {
  if (!state.exists || !needsMessageLookup(state, seq)) return state;
  const ledger: RoomLedger = {
    members: new Map(state.ledger.members),
    messages: new Map(state.ledger.messages),
    reactions: new Map(state.ledger.reactions),
    pins: new Set(state.ledger.pins),
    messageWindowStart: state.ledger.messageWindowStart,
    appliedVersion: state.ledger.appliedVersion,
  };
  const { senderId, deleted, threadSeq } = facts;
  ledger.messages.set(seq, threadSeq === undefined ? { senderId, deleted } : { senderId, deleted, threadSeq });
  const reactions = new Map([...(facts.reactions ?? [])].map(([emoji, users]) => [emoji, new Set(users)]));
  if (reactions.size > 0) ledger.reactions.set(seq, reactions);
  // A fresh copy: its first keys are the oldest entries, with no holes before them.
  evictInInsertionOrder(ledger, state.messageWindow);
  return { ...state, ledger };
}
