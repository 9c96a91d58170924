// What one group commit writes, inside its transaction: each append checked against its stream's version as the
// appends before it in the batch leave it, its events encoded, chained to the stream's last hash and inserted.

import { WrongExpectedVersionError } from '../../domain/errors.js';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import type { EventCodec } from '../../events/eventCodec.js';
import { GENESIS_HASH, eventHash } from '../../events/hashChain.js';
import type { AppendResult, ExpectedVersion } from '../eventLog.js';
import { matchesExpected } from '../logArguments.js';
import { PARTITION, type EventStatements } from './eventsTable.js';
import type { RecentWrites, StreamTip, WrittenEvent } from './recentWrites.js';

export interface PendingAppend {
  streamId: string;
  expected: ExpectedVersion;
  events: NewEvent[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export type AppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** What a batch did, for its caller to remember once the transaction has committed (recentWrites.ts). */
export interface BatchWritten {
  outcomes: AppendOutcome[];
  /** Every touched stream's tip as the batch leaves it. */
  tips: Map<string, StreamTip>;
  /** The inserted events in position order. */
  written: WrittenEvent[];
}

/** Runs inside the write transaction. Throws only for failures that must roll the whole batch back. */
export function writeAppends(
  batch: PendingAppend[],
  statements: EventStatements,
  codec: EventCodec,
  recent: RecentWrites,
): BatchWritten {
  // A tip this connection wrote is still the stored one unless another connection committed since (checked here,
  // under the write lock, so nobody can commit in between).
  const remembered = recent.current();
  // Tips as this batch leaves them, so later appends in the batch see (and chain to) earlier ones.
  const tips = new Map<string, StreamTip>();
  const written: WrittenEvent[] = [];
  const outcomes: AppendOutcome[] = [];
  for (const { streamId, expected, events } of batch) {
    const tip = tips.get(streamId) ?? (remembered ? recent.tipOf(streamId) : undefined) ?? storedTip(statements, streamId);
    const current = tip.version;
    if (!matchesExpected(expected, current)) {
      tips.set(streamId, tip);
      outcomes.push({ ok: false, error: new WrongExpectedVersionError(streamId, expected, current) });
      continue;
    }
    const recorded: RecordedEvent[] = [];
    let streamVersion = current;
    let previousHash = tip.hash;
    for (const event of events) {
      streamVersion += 1;
      const body = codec.encode({ ...event, streamId, streamVersion, previousHash });
      const { lastInsertRowid } = statements.insertEvent.run(
        streamId,
        streamVersion,
        event.eventId,
        event.type,
        event.metadata.commandId,
        event.metadata.occurredAt,
        body,
      );
      const position = Number(lastInsertRowid);
      recorded.push({ ...event, streamId, streamVersion, partition: PARTITION, position, previousHash });
      written.push({ position, body, commandId: event.metadata.commandId });
      previousHash = eventHash(body);
    }
    tips.set(streamId, { version: streamVersion, hash: previousHash });
    outcomes.push({ ok: true, result: { nextExpectedVersion: streamVersion, events: recorded } });
  }
  return { outcomes, tips, written };
}

/** Read inside the write transaction, so no other writer can move the stream between this and the insert. */
function storedTip(statements: EventStatements, streamId: string): StreamTip {
  const row = statements.selectTip.get(streamId);
  return row === undefined ? { version: 0, hash: GENESIS_HASH } : { version: row.stream_version, hash: eventHash(row.body) };
}
