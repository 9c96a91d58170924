import type { Logger } from 'pino';
import type { ReadinessChecks } from '../observability/readiness.js';
import type { RoleComponent } from './roleComponent.js';

/** What the role needs of the command processor (src/commands/processor/). */
export interface StartableProcessor {
  /** Resolves once it has joined the processors' group. */
  start(): Promise<void>;
  stop(): Promise<void>;
  readiness(): { ready: boolean; reason?: string };
  /** The commands partitions (= events partitions) it decides for right now. */
  ownedPartitions(): number[];
}

/**
 * Where this process's commands are decided: by the command processor, or (`in-process`) by the caller's own
 * CommandBus appending to the log, e.g. on the SQLite log, whose append transaction is the single writer.
 */
export type ProcessorSource = { kind: 'processor'; processor: StartableProcessor } | { kind: 'in-process'; why: string };

/**
 * command-processor: the single writer of the streams whose partitions its consumer group assigns to it
 * (DESIGN.md "Single writer per stream").
 */
export class CommandProcessorRole implements RoleComponent {
  readonly name = 'command-processor';
  readonly layer = 'writer';
  private processor: StartableProcessor | undefined;

  constructor(
    private readonly resolveProcessor: () => Promise<ProcessorSource>,
    private readonly readiness: ReadinessChecks,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const source = await this.resolveProcessor();
    switch (source.kind) {
      case 'in-process':
        this.logger.info({ why: source.why }, 'no command processor to start: commands are decided where they are sent');
        return;
      case 'processor':
        break;
      default: {
        const unknown: never = source;
        throw new Error(`unknown processor source ${JSON.stringify(unknown)}`);
      }
    }
    const processor = source.processor;
    this.readiness.add({
      name: 'commandProcessor',
      probe: async () => {
        const { ready, reason } = processor.readiness();
        if (!ready) throw new Error(reason ?? 'not ready');
        const owned = processor.ownedPartitions();
        return owned.length === 0 ? 'in the group, owning no partition' : `owns partitions ${owned.join(',')}`;
      },
    });
    this.processor = processor;
    await processor.start();
  }

  /** Leaves the group: its partitions move to the other processors. */
  async stop(): Promise<void> {
    await this.processor?.stop();
  }
}
