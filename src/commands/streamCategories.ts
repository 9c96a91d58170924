import type { z } from 'zod';
import type { CategoryName, EventOfCategory } from '../events/chatEvents.js';
import type { EventLog } from '../eventlog/eventLog.js';
import { assistantUsageDecider, type AssistantUsageState } from './assistantUsage/assistantUsageDecider.js';
import { auditDecider, type AuditState } from './audit/auditDecider.js';
import type { PrepareState } from './commandExecutor.js';
import {
  assistantUsageCommand,
  auditCommand,
  deliveriesCommand,
  fileCommand,
  friendCommand,
  identityCommand,
  receiptCommand,
  roomCommand,
  userCommand,
  usernameCommand,
  type AssistantUsageCommand,
  type AuditCommand,
  type ChatCommand,
  type DeliveriesCommand,
  type FileCommand,
  type FriendCommand,
  type IdentityCommand,
  type ReceiptCommand,
  type RoomCommand,
  type UserCommand,
  type UsernameCommand,
} from './commands.js';
import type { Decider } from './decider.js';
import type { SnapshotCodec } from './snapshots/streamSnapshots.js';
import { deliveriesDecider, type DeliveriesState } from './deliveries/deliveriesDecider.js';
import { fileDecider, type FileState } from './files/fileDecider.js';
import { friendshipDecider, type FriendshipState } from './friends/friendshipDecider.js';
import { identityDecider, type IdentityState } from './identity/identityDecider.js';
import { receiptsDecider, type ReceiptsState } from './receipts/receiptsDecider.js';
import { oldMessageFactsFromLog } from './room/oldMessageFacts.js';
import { roomDecider } from './room/roomDecider.js';
import { roomSnapshotCodec } from './room/roomSnapshot.js';
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

// The categories' names are with the events (src/events/chatEvents.ts), which name the category of each event type.
export { CATEGORY_NAMES, type CategoryName } from '../events/chatEvents.js';

/** The command and state types of each category's decider (its events are EventOfCategory<K>). */
export interface CategoryTypes extends Record<CategoryName, { command: ChatCommand; state: unknown }> {
  /** username-<normalised name> */
  usernames: { command: UsernameCommand; state: UsernameState };
  /** user-<id> */
  users: { command: UserCommand; state: UserState };
  /** room-<id> */
  rooms: { command: RoomCommand; state: RoomState };
  /** receipts-<userId> */
  receipts: { command: ReceiptCommand; state: ReceiptsState };
  /** deliveries-<roomId> */
  deliveries: { command: DeliveriesCommand; state: DeliveriesState };
  /** audit-<auditorId> (issue #7) */
  audit: { command: AuditCommand; state: AuditState };
  /** friendship-<smaller id>-<larger id> */
  friendships: { command: FriendCommand; state: FriendshipState };
  /** identity-<provider>-<subject digest> (issue #18) */
  identities: { command: IdentityCommand; state: IdentityState };
  /** file-<fileId> (issue #16) */
  files: { command: FileCommand; state: FileState };
  /** assistant-usage-<assistantId> (issue #19) */
  assistantUsage: { command: AssistantUsageCommand; state: AssistantUsageState };
}

export type CommandOf<K extends CategoryName> = CategoryTypes[K]['command'];
export type StateOf<K extends CategoryName> = CategoryTypes[K]['state'];
export type EventOf<K extends CategoryName> = EventOfCategory<K>;

/** What reading the log for facts beyond a stream's bounded state needs (see room/oldMessageFacts.ts). */
export type StreamReader = Pick<EventLog, 'readStream'>;

export interface StreamCategory<K extends CategoryName> {
  decider: Decider<CommandOf<K>, StateOf<K>, EventOf<K>>;
  /** The shape of the category's commands where they cross a process boundary (the commands topic). */
  commandSchema: z.ZodType<CommandOf<K>>;
  /** Enriches the loaded state with facts the bounded state no longer holds, read from the log, before deciding. */
  prepare?: (log: StreamReader) => PrepareState<CommandOf<K>, StateOf<K>>;
  /** For a category whose streams grow long (rooms): loads start from a snapshot (snapshots/streamSnapshots.ts). */
  snapshot?: SnapshotCodec<StateOf<K>>;
}

export type StreamCategories = { readonly [K in CategoryName]: StreamCategory<K> };

export const STREAM_CATEGORIES: StreamCategories = {
  usernames: { decider: usernameDecider, commandSchema: usernameCommand },
  users: { decider: userDecider, commandSchema: userCommand },
  rooms: { decider: roomDecider, commandSchema: roomCommand, prepare: oldMessageFactsFromLog, snapshot: roomSnapshotCodec },
  receipts: { decider: receiptsDecider, commandSchema: receiptCommand },
  deliveries: { decider: deliveriesDecider, commandSchema: deliveriesCommand },
  audit: { decider: auditDecider, commandSchema: auditCommand },
  friendships: { decider: friendshipDecider, commandSchema: friendCommand },
  identities: { decider: identityDecider, commandSchema: identityCommand },
  files: { decider: fileDecider, commandSchema: fileCommand },
  assistantUsage: { decider: assistantUsageDecider, commandSchema: assistantUsageCommand },
};
