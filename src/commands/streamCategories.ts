import type { z } from 'zod';
import type {
  AuditStreamEvent,
  ChatEvent,
  FriendshipEvent,
  ReceiptEvent,
  RoomEvent,
  UserStreamEvent,
  UsernameStreamEvent,
} from '../events/chatEvents.js';
import type { RecordedEvent } from '../events/envelope.js';
import {
  asAuditStreamEvent,
  asFriendshipEvent,
  asReceiptEvent,
  asRoomEvent,
  asUserStreamEvent,
  asUsernameStreamEvent,
} from '../events/eventGuards.js';
import type { EventLog } from '../eventlog/eventLog.js';
import { auditDecider, type AuditState } from './audit/auditDecider.js';
import type { PrepareState } from './commandExecutor.js';
import {
  auditCommand,
  friendCommand,
  receiptCommand,
  roomCommand,
  userCommand,
  usernameCommand,
  type AuditCommand,
  type ChatCommand,
  type FriendCommand,
  type ReceiptCommand,
  type RoomCommand,
  type UserCommand,
  type UsernameCommand,
} from './commands.js';
import type { Decider } from './decider.js';
import { friendshipDecider, type FriendshipState } from './friends/friendshipDecider.js';
import { receiptsDecider, type ReceiptsState } from './receipts/receiptsDecider.js';
import { oldMessageFactsFromLog } from './room/oldMessageFacts.js';
import { roomDecider } from './room/roomDecider.js';
import type { RoomState } from './room/roomState.js';
import { userDecider, type UserState } from './user/userDecider.js';
import { usernameDecider, type UsernameState } from './username/usernameDecider.js';

// The one table of stream categories (DESIGN.md "Streams"). Each kind of stream has one decider, and everything
// that runs commands is derived from this table: the embedded CommandBus per category and the remote executors
// (composition/commandExecution.ts), the Kafka command processor's StreamWriter per category, and the commands
// topic's schema (processor/commandMessages.ts). Those records are typed over CategoryName, so a category added
// here and missing there fails the build. A new command is a schema in commands.ts, a case in its decider and an
// entry in the test catalogue of every command (test/support/sampleCommands.ts), which runs each command type
// through the embedded bus and the commands topic.

/** The kinds of stream; a command on the commands topic names its kind so the processor picks the decider. */
export const CATEGORY_NAMES = ['usernames', 'users', 'rooms', 'receipts', 'audit', 'friendships'] as const;
export type CategoryName = (typeof CATEGORY_NAMES)[number];

/** The types each category's decider works with. */
export interface CategoryTypes extends Record<CategoryName, { command: ChatCommand; state: unknown; event: ChatEvent }> {
  /** username-<normalised name> */
  usernames: { command: UsernameCommand; state: UsernameState; event: UsernameStreamEvent };
  /** user-<id> */
  users: { command: UserCommand; state: UserState; event: UserStreamEvent };
  /** room-<id> */
  rooms: { command: RoomCommand; state: RoomState; event: RoomEvent };
  /** receipts-<userId> */
  receipts: { command: ReceiptCommand; state: ReceiptsState; event: ReceiptEvent };
  /** audit-<auditorId> (issue #7) */
  audit: { command: AuditCommand; state: AuditState; event: AuditStreamEvent };
  /** friendship-<smaller id>-<larger id> */
  friendships: { command: FriendCommand; state: FriendshipState; event: FriendshipEvent };
}

export type CommandOf<K extends CategoryName> = CategoryTypes[K]['command'];
export type StateOf<K extends CategoryName> = CategoryTypes[K]['state'];
export type EventOf<K extends CategoryName> = CategoryTypes[K]['event'];

/** What reading the log for facts beyond a stream's bounded state needs (see room/oldMessageFacts.ts). */
export type StreamReader = Pick<EventLog, 'readStream'>;

export interface StreamCategory<K extends CategoryName> {
  decider: Decider<CommandOf<K>, StateOf<K>, EventOf<K>>;
  /** Tells the category's events apart; a stream only ever holds them, so anything else is a corrupt log. */
  asDeciderEvent: (event: RecordedEvent) => RecordedEvent<EventOf<K>> | undefined;
  /** The shape of the category's commands where they cross a process boundary (the commands topic). */
  commandSchema: z.ZodType<CommandOf<K>>;
  /** Enriches the loaded state with facts the bounded state no longer holds, read from the log, before deciding. */
  prepare?: (log: StreamReader) => PrepareState<CommandOf<K>, StateOf<K>>;
}

export type StreamCategories = { readonly [K in CategoryName]: StreamCategory<K> };

export const STREAM_CATEGORIES: StreamCategories = {
  usernames: { decider: usernameDecider, asDeciderEvent: asUsernameStreamEvent, commandSchema: usernameCommand },
  users: { decider: userDecider, asDeciderEvent: asUserStreamEvent, commandSchema: userCommand },
  rooms: { decider: roomDecider, asDeciderEvent: asRoomEvent, commandSchema: roomCommand, prepare: oldMessageFactsFromLog },
  receipts: { decider: receiptsDecider, asDeciderEvent: asReceiptEvent, commandSchema: receiptCommand },
  audit: { decider: auditDecider, asDeciderEvent: asAuditStreamEvent, commandSchema: auditCommand },
  friendships: { decider: friendshipDecider, asDeciderEvent: asFriendshipEvent, commandSchema: friendCommand },
};
