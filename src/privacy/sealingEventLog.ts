// The edge of the log for personal data: everything appended is sealed on the way in, everything read is unsealed
// on the way out, on every read path (readStream, readAll, findByCommandId, subscribe). So deciders, projections,
// the gateway, replay and the audit API all see plaintext, or the erased marker, and never a key; the log's bytes
// (and the hash chains over them, events/hashChain.ts) only ever hold ciphertext.

import type { NewEvent } from '../events/envelope.js';
import type {
  AppendResult,
  EventLog,
  EventLogDecorator,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../eventlog/eventLog.js';
import type { Checkpoint } from '../eventlog/checkpoint.js';
import type { RecordedEvent } from '../events/envelope.js';
import type { PersonalDataSealer } from './personalDataSealer.js';

export class SealingEventLog implements EventLogDecorator {
  constructor(
    /** The log adapter itself (SQLite, Kafka): tools that need its stored bytes reach it through `undecorated`. */
    readonly inner: EventLog,
    private readonly sealer: PersonalDataSealer,
  ) {}

  async append(streamId: string, expected: ExpectedVersion, events: NewEvent[]): Promise<AppendResult> {
    const sealed = await this.sealer.sealWithKeys(events);
    const result = await this.inner.append(streamId, expected, sealed.events);
    // Opened with the keys and plaintexts just used: no trip to the key store and no decryption for what this call
    // wrote (the adapters hand back the sealed values they were given).
    const opened = await this.sealer.unseal(result.events, sealed.keys, sealed.plaintexts);
    return { nextExpectedVersion: result.nextExpectedVersion, events: opened };
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.sealer.unseal(await this.inner.readStream(streamId, options));
  }

  streamVersion(streamId: string): Promise<number> {
    return this.inner.streamVersion(streamId);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.sealer.unseal(await this.inner.readAll(options));
  }

  async findByCommandId(commandId: string): Promise<RecordedEvent[]> {
    return this.sealer.unseal(await this.inner.findByCommandId(commandId));
  }

  headPosition(): Promise<Checkpoint> {
    return this.inner.headPosition();
  }

  partitionOf(streamId: string): number {
    return this.inner.partitionOf(streamId);
  }

  subscribe(options: SubscribeOptions): Subscription {
    // A batch that cannot be unsealed (the key store is away, a tampered value) fails like a failing handler:
    // the subscription stops and onError is told, so a projector retries instead of skipping the batch.
    return this.inner.subscribe({ ...options, handler: async (events) => options.handler(await this.sealer.unseal(events)) });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
