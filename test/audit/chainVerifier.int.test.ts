// `chat audit verify`'s core: hash chains recomputed from stored bytes, and each kind of tampering named.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeBrokenLink } from '../../src/audit/chainVerifier.js';
import { chainFieldsThrough } from '../../src/audit/storedEventReaders.js';
import { verifyLog } from '../../src/audit/verifyLog.js';
import { eventHash } from '../../src/events/hashChain.js';
import { sampleMessages } from '../support/sampleEvents.js';
import { openAuditTestLog, type AuditTestLog } from './auditTestLog.js';

describe('audit verify: hash chains recomputed from stored bytes', () => {
  let t: AuditTestLog;
  const verify = (streamId?: string) =>
    verifyLog(t.log, chainFieldsThrough(t.codec), streamId === undefined ? {} : { streamId });
  const positionOf = async (streamId: string, version: number) =>
    (await t.log.readStream(streamId, { fromVersion: version, limit: 1 }))[0]?.position;

  beforeEach(async () => {
    t = await openAuditTestLog();
    // Two streams interleaved in the log: room-a 1..4, room-b 1..2.
    await t.log.append('room-a', 'no-stream', sampleMessages(2, 'a'));
    await t.log.append('room-b', 'no-stream', sampleMessages(2, 'b'));
    await t.log.append('room-a', 2, sampleMessages(2, 'a', 'later'));
  });

  afterEach(async () => {
    await t.close();
  });

  it('passes an untouched log, with counts, and one stream alone', async () => {
    expect(await verify()).toEqual({ ok: true, counts: { streams: 2, events: 6, chained: 6, unchained: 0 } });
    expect(await verify('room-b')).toEqual({
      ok: true,
      counts: { streams: 1, events: 2, chained: 2, unchained: 0 },
      head: { version: 2, hash: eventHash(t.storedBody('room-b', 2)) },
    });
    expect(await verify('room-none')).toEqual({ ok: true, counts: { streams: 0, events: 0, chained: 0, unchained: 0 } });
  });

  it('names the link after an event whose stored bytes changed by one byte', async () => {
    const body = t.storedBody('room-a', 2);
    const altered = Buffer.from(body);
    const at = altered.indexOf('m 1');
    expect(at).toBeGreaterThan(5);
    altered[at + 2] = '9'.charCodeAt(0); // the text "m 1" now reads "m 9": still a valid event
    t.tamper("UPDATE events SET body = ? WHERE stream_id = 'room-a' AND stream_version = 2", altered);
    expect(t.codec.decode(altered, { partition: 0, position: 2 })).toMatchObject({ data: { text: 'm 9' } });

    const result = await verify();
    expect(result).toMatchObject({
      ok: false,
      broken: {
        reason: 'hash-mismatch',
        streamId: 'room-a',
        streamVersion: 3,
        partition: 0,
        position: await positionOf('room-a', 3),
        expected: eventHash(altered),
        found: eventHash(body),
      },
    });
    if (result.ok) throw new Error('unreachable');
    expect(describeBrokenLink(result.broken)).toContain('stream room-a version 3');
    // The other stream is untouched and still verifies alone.
    expect((await verify('room-b')).ok).toBe(true);
  });

  it('names a changed byte that leaves the bytes undecodable', async () => {
    const altered = Buffer.from(t.storedBody('room-b', 1));
    altered[5] = 0x7e; // the first byte of the Avro body: the eventId's length, now 63, so nothing after it parses
    t.tamper("UPDATE events SET body = ? WHERE stream_id = 'room-b' AND stream_version = 1", altered);
    expect(await verify()).toMatchObject({ ok: false, broken: { reason: 'undecodable', streamId: 'room-b', streamVersion: 1 } });
  });

  it('names the event after a dropped one', async () => {
    t.tamper("DELETE FROM events WHERE stream_id = 'room-a' AND stream_version = 2");
    expect(await verify()).toMatchObject({
      ok: false,
      broken: {
        reason: 'version-gap',
        streamId: 'room-a',
        streamVersion: 3,
        expected: 'version 2',
        found: 'version 3',
      },
    });
  });

  it('names the first of two events swapped in place', async () => {
    const second = t.storedBody('room-a', 2);
    const third = t.storedBody('room-a', 3);
    const position = await positionOf('room-a', 2);
    t.tamper("UPDATE events SET body = ? WHERE stream_id = 'room-a' AND stream_version = 2", third);
    t.tamper("UPDATE events SET body = ? WHERE stream_id = 'room-a' AND stream_version = 3", second);
    expect(await verify('room-a')).toMatchObject({
      ok: false,
      broken: { reason: 'version-gap', streamId: 'room-a', streamVersion: 3, position, expected: 'version 2' },
    });
  });

  it('names an event whose version was rewritten to match after a reorder, by its hash', async () => {
    // A thorough forger re-files the swapped rows under their new versions: versions are contiguous again,
    // but the bodies still say which event came first, and the chain does not lie.
    const second = t.storedBody('room-a', 2);
    const third = t.storedBody('room-a', 3);
    t.tamper("UPDATE events SET stream_version = 100 WHERE stream_id = 'room-a' AND stream_version = 2");
    t.tamper("UPDATE events SET stream_version = 2, body = ? WHERE stream_id = 'room-a' AND stream_version = 3", second);
    t.tamper("UPDATE events SET stream_version = 3, body = ? WHERE stream_id = 'room-a' AND stream_version = 100", third);
    const result = await verify('room-a');
    expect(result.ok).toBe(false);
    if (result.ok) throw new Error('unreachable');
    expect(result.broken.streamId).toBe('room-a');
    expect(result.broken.streamVersion).toBeLessThanOrEqual(3);
  });

  it('accepts a stream whose first events predate hash chains, but not a null hash after the chain began', async () => {
    const [legacy] = sampleMessages(1, 'old');
    if (legacy === undefined) throw new Error('no sample');
    const legacyBody = t.codec.encode({ ...legacy, streamId: 'room-old', streamVersion: 1, previousHash: null });
    t.tamper(
      `INSERT INTO events (stream_id, stream_version, event_id, type, command_id, occurred_at, body)
       VALUES ('room-old', 1, ?, 'MessageSent', ?, 0, ?)`,
      legacy.eventId,
      legacy.metadata.commandId,
      legacyBody,
    );
    await t.log.append('room-old', 1, sampleMessages(1, 'old', 'new'));
    expect(await verify('room-old')).toMatchObject({ ok: true, counts: { streams: 1, events: 2, chained: 1, unchained: 1 } });

    const [late] = sampleMessages(1, 'old', 'late');
    if (late === undefined) throw new Error('no sample');
    const unchained = t.codec.encode({ ...late, streamId: 'room-old', streamVersion: 3, previousHash: null });
    t.tamper(
      `INSERT INTO events (stream_id, stream_version, event_id, type, command_id, occurred_at, body)
       VALUES ('room-old', 3, ?, 'MessageSent', ?, 0, ?)`,
      late.eventId,
      late.metadata.commandId,
      unchained,
    );
    expect(await verify('room-old')).toMatchObject({ ok: false, broken: { reason: 'hash-missing', streamVersion: 3 } });
  });
});
