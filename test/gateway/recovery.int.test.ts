import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { NewEvent } from '../../src/events/envelope.js';
import { replayRoom } from '../../src/gateway/recovery.js';
import { sampleEvent } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

// Replay against a real log with tiny pages: the range comes back whole and in order, and a deletion on a later
// page still hides the text of a message sent (and edited) on an earlier one.

const roomId = 'r-replay';
const message = (seq: number, text: string): NewEvent =>
  sampleEvent('MessageSent', { data: { roomId, messageId: `${roomId}.${seq}`, text, clientMessageId: `c-${seq}` } });

describe('replayRoom', () => {
  let log: SqliteEventLog;

  beforeEach(async () => {
    log = SqliteEventLog.open({ file: ':memory:', codec: await createTestCodec(), pollIntervalMs: 3_600_000 });
    await log.append(`room-${roomId}`, 'no-stream', [
      sampleEvent('RoomCreated', { data: { roomId } }), // 1
      message(2, 'secret-early'), // 2
      message(3, 'visible-3'), // 3
      sampleEvent('MessageEdited', { data: { roomId, messageId: `${roomId}.2`, text: 'secret-edit' } }), // 4
      message(5, 'visible-5'), // 5
      message(6, 'visible-6'), // 6
      message(7, 'visible-7'), // 7
      message(8, 'visible-8'), // 8
      sampleEvent('MessageDeleted', { data: { roomId, messageId: `${roomId}.2` } }), // 9
      message(10, 'visible-10'), // 10
    ]);
  });
  afterEach(async () => {
    await log.close();
  });

  async function replay(fromSeq: number, toSeq: number, pageSize: number) {
    const pages: { seq: number; frame: Record<string, unknown> }[][] = [];
    for await (const page of replayRoom(log, roomId, fromSeq, toSeq, pageSize)) {
      pages.push(page.map(({ event, frame }) => ({ seq: event.streamVersion, frame: JSON.parse(frame.toString()) })));
    }
    return pages;
  }

  it('returns exactly the range, in order, in pages of the given size', async () => {
    const pages = await replay(2, 9, 3);
    expect(pages.map((page) => page.map((item) => item.seq))).toEqual([[2, 3, 4], [5, 6, 7], [8, 9]]);
    expect(pages.flat().map((item) => item.frame.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('redacts a message deleted on a later page, its edit too, and nothing else', async () => {
    const frames = (await replay(1, 10, 3)).flat().map((item) => item.frame);
    const text = JSON.stringify(frames);
    expect(text).not.toContain('secret');
    expect(frames[1]).toMatchObject({ event: 'MessageSent', seq: 2, data: { messageId: `${roomId}.2`, text: null } });
    expect(frames[3]).toMatchObject({ event: 'MessageEdited', seq: 4, data: { messageId: `${roomId}.2`, text: null } });
    expect(frames[2]).toMatchObject({ data: { text: 'visible-3' } });
    expect(frames[9]).toMatchObject({ data: { text: 'visible-10' } });
  });

  it('redacts within a single page too', async () => {
    const frames = (await replay(1, 10, 100)).flat().map((item) => item.frame);
    expect(JSON.stringify(frames)).not.toContain('secret');
    expect(frames).toHaveLength(10);
  });

  it('leaves a deletion beyond the range to live delivery (the text was current at toSeq)', async () => {
    const frames = (await replay(1, 8, 3)).flat().map((item) => item.frame);
    expect(frames[1]).toMatchObject({ data: { text: 'secret-early' } });
  });

  it('yields nothing for an empty range', async () => {
    expect(await replay(11, 10, 3)).toEqual([]);
  });
});
