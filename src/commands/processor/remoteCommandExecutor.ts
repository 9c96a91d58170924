import { CommandRejectedError } from '../../domain/errors.js';
import type { RecordedEvent } from '../../events/envelope.js';
import type { CommandExecutor, CommandMetadata, CommandObserver, CommandResult } from '../commandExecutor.js';
import type { DecisionContext } from '../decider.js';
import type { CommandExecutors } from '../commandExecutors.js';
import type { CategoryName, CommandOf } from '../streamCategories.js';
import type { CommandClient } from './commandClient.js';
import type { EventPlace } from './commandMessages.js';

/** Where the caller reads the events a processor wrote: its own index of the events topic (KafkaEventLog). */
export interface PlacedEventReader {
  eventsAt(places: readonly EventPlace[]): Promise<RecordedEvent[]>;
}

/**
 * A stream category's single writer as seen from an api or gateway process in the distributed mode: the command
 * goes to the commands topic, the processor that owns its partition decides, and the answer names where the
 * events are; they are read from this process's own index (waiting until it has consumed them), so the result is
 * the same RecordedEvents as in the embedded mode and read-your-writes keeps working.
 */
export class RemoteCommandExecutor<K extends CategoryName> implements CommandExecutor<CommandOf<K>> {
  constructor(
    private readonly client: Pick<CommandClient, 'send'>,
    /** Tags each command with its category: the processor picks the decider by it. */
    private readonly category: K,
    private readonly events: PlacedEventReader,
    private readonly observe: CommandObserver = (_type, run) => run(),
  ) {}

  execute(streamId: string, command: CommandOf<K>, context: DecisionContext, metadata: CommandMetadata): Promise<CommandResult> {
    return this.observe(command.type, async () => {
      const reply = await this.client.send(
        {
          v: 1,
          commandId: metadata.commandId,
          correlationId: metadata.correlationId,
          streamId,
          context,
          body: { category: this.category, command },
        },
        metadata.onQueued,
      );
      const { outcome } = reply;
      switch (outcome.status) {
        case 'accepted':
          return { events: await this.events.eventsAt(outcome.events), replayed: reply.replayed };
        case 'rejected':
          throw new CommandRejectedError(outcome.code, outcome.message, outcome.details);
        default: {
          const unknown: never = outcome;
          throw new Error(`unknown command outcome ${JSON.stringify(unknown)}`);
        }
      }
    });
  }
}

/**
 * Every category's remote executor over one command client: the distributed mode's CommandExecutors. `connect`
 * starts the client (producer, reply tail) ahead of the first command; `close` disconnects it.
 */
export function remoteExecutors(
  client: Pick<CommandClient, 'send' | 'start' | 'close'>,
  events: PlacedEventReader,
  observe?: CommandObserver,
): CommandExecutors {
  const remote = <K extends CategoryName>(category: K) => new RemoteCommandExecutor(client, category, events, observe);
  return {
    usernames: remote('usernames'),
    users: remote('users'),
    rooms: remote('rooms'),
    receipts: remote('receipts'),
    deliveries: remote('deliveries'),
    audit: remote('audit'),
    friendships: remote('friendships'),
    identities: remote('identities'),
    files: remote('files'),
    assistantUsage: remote('assistantUsage'),
    connect: () => client.start(),
    close: () => client.close(),
  };
}
