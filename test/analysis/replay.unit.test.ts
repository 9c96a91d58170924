import { parse } from 'csv-parse/sync';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { replay, type ReplayLog, type ReplayScan } from '../../src/analysis/replay.js';
import { parseReplayQuery, type ReplayFlags } from '../../src/analysis/replayQuery.js';
import { CSV_COLUMNS, CSV_HEADER, isoTime, toCsvLine, toJsonLine, toReplayRecord } from '../../src/analysis/replayRecord.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { checkpointOf, covers, partitionsOf, positionIn, type Checkpoint } from '../../src/eventlog/checkpoint.js';
import { sampleEvent } from '../support/sampleEvents.js';

// replay() against a log held in an array: two partitions, as a Kafka topic would hand them out.
function memoryLog(events: RecordedEvent[]): ReplayLog & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readAll({ after, limit }) {
      reads.push('all');
      return events.filter((event) => after === undefined || !covers(after, event)).slice(0, limit);
    },
    async readStream(streamId, options = {}) {
      reads.push(streamId);
      const stream = events.filter((event) => event.streamId === streamId);
      return stream.slice((options.fromVersion ?? 1) - 1, (options.fromVersion ?? 1) - 1 + (options.limit ?? stream.length));
    },
    async streamVersion(streamId) {
      return events.filter((event) => event.streamId === streamId).length;
    },
    async headPosition() {
      return checkpointOf(events);
    },
  };
}

const T0 = Date.UTC(2026, 10, 21);
const versions = new Map<string, number>();
const positions = new Map<number, number>();
function recorded(partition: number, streamId: string, event: ReturnType<typeof sampleEvent>): RecordedEvent {
  const streamVersion = (versions.get(streamId) ?? 0) + 1;
  versions.set(streamId, streamVersion);
  const position = (positions.get(partition) ?? 0) + 1;
  positions.set(partition, position);
  return { ...event, streamId, streamVersion, partition, position, previousHash: null };
}

// Partition 0: room r-a; partition 1: room r-b and bob's receipts. Interleaved as a multi-partition read returns them.
const LOG: RecordedEvent[] = [
  recorded(0, 'room-r-a', sampleEvent('RoomCreated', { data: { roomId: 'r-a' }, metadata: { occurredAt: T0 } })),
  recorded(1, 'room-r-b', sampleEvent('RoomCreated', { data: { roomId: 'r-b' }, metadata: { occurredAt: T0 + 1 } })),
  ...Array.from({ length: 7 }, (_, i) =>
    recorded(0, 'room-r-a', sampleEvent('MessageSent', { data: { roomId: 'r-a', text: `a${i}` }, metadata: { occurredAt: T0 + 10 + i, actorId: i % 2 === 0 ? 'u-alice' : 'u-bob' } })),
  ),
  ...Array.from({ length: 5 }, (_, i) =>
    recorded(1, 'room-r-b', sampleEvent('MessageSent', { data: { roomId: 'r-b', text: `b${i}` }, metadata: { occurredAt: T0 + 20 + i } })),
  ),
  recorded(1, 'receipts-u-bob', sampleEvent('MessagesRead', { data: { roomId: 'r-b', userId: 'u-bob', seq: 3 }, metadata: { actorId: null, occurredAt: T0 + 30 } })),
];

async function run(flags: ReplayFlags, pageSize = 3, log = memoryLog(LOG)) {
  let out = '';
  const result = await replay({ log, query: parseReplayQuery(flags), write: async (chunk) => void (out += chunk), pageSize });
  return { out, result, log };
}
const lines = (out: string) => out.trimEnd().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { type: string; data: { text?: string }; streamId: string; position: number; partition: number });

describe('replay', () => {
  it('writes every event of every partition once, in pages, and says where it stopped', async () => {
    const { out, result } = await run({});
    expect(lines(out)).toHaveLength(LOG.length);
    expect(new Set(lines(out).map((line) => `${line.partition}:${line.position}`)).size).toBe(LOG.length);
    expect(result).toEqual({ read: LOG.length, written: LOG.length, reached: { 0: 8, 1: 7 } });
  });

  it('continues from --after and stops at --until, per partition', async () => {
    const { out } = await run({ after: '0:5,1:6', until: '0:7,1:9' });
    expect(lines(out).map((line) => `${line.partition}:${line.position}`).sort()).toEqual(['0:6', '0:7', '1:7']);
  });

  it('reads only the room stream for --room and applies the other filters to it', async () => {
    const { out, log } = await run({ room: 'r-a', type: ['MessageSent'], user: 'u-bob' });
    expect(lines(out).map((line) => line.data.text)).toEqual(['a1', 'a3', 'a5']);
    expect(log.reads.every((read) => read === 'room-r-a')).toBe(true);
  });

  it('selects by time, type and user across the log', async () => {
    expect(lines((await run({ since: new Date(T0 + 12).toISOString(), untilTime: new Date(T0 + 22).toISOString() })).out).map((line) => line.data.text)).toEqual([
      'a2',
      'a3',
      'a4',
      'a5',
      'a6',
      'b0',
      'b1',
    ]);
    expect(lines((await run({ user: 'u-bob' })).out).map((line) => line.type)).toEqual(['MessageSent', 'MessageSent', 'MessageSent', 'MessagesRead']);
  });

  it('writes CSV with one header and the payload as a JSON cell, which parses back', async () => {
    const { out } = await run({ format: 'csv', type: ['MessageSent'], room: 'r-b' }, 2);
    const rows: string[][] = parse(out);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1).map((row) => JSON.parse(row[CSV_COLUMNS.indexOf('data')] ?? '').text)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect((await run({ format: 'csv', type: ['MemberLeft'] })).out).toBe(`${CSV_COLUMNS.join(',')}\n`);
  });

  it('opens (unseals) only the events the filter keeps, and writes what open returns', async () => {
    const opened: string[] = [];
    let out = '';
    const result = await replay({
      log: memoryLog(LOG),
      query: parseReplayQuery({ type: ['MessageSent'], room: 'r-b' }),
      pageSize: 3,
      open: async (events) => {
        opened.push(...events.map((event) => event.eventId));
        return events.map((event) => (event.type === 'MessageSent' ? { ...event, data: { ...event.data, text: `opened ${event.data.text}` } } : event));
      },
      write: async (chunk) => void (out += chunk),
    });
    const written = lines(out);
    expect(written.map((line) => line.data.text)).toEqual(['opened b0', 'opened b1', 'opened b2', 'opened b3', 'opened b4']);
    expect(opened).toHaveLength(written.length);
    expect(result.written).toBe(written.length);
  });

  it('ends at the head it saw at the start, so a log that keeps growing does not keep it running', async () => {
    const log = memoryLog(LOG);
    const head = await log.headPosition();
    const growing: ReplayLog = { ...log, headPosition: async () => head, readAll: (options) => log.readAll(options) };
    LOG.push(recorded(0, 'room-r-a', sampleEvent('MessageSent', { data: { roomId: 'r-a', text: 'late' } })));
    try {
      const { out } = await run({}, 3, { ...growing, reads: [] });
      expect(lines(out).map((line) => line.data.text)).not.toContain('late');
    } finally {
      LOG.pop();
    }
  });
});

// A log that can only be scanned (the Kafka topic read directly): per partition from `after` to `until`, in batches
// of `batch` events, each partition in order. `head` may lie past the last event (transaction markers take offsets).
function memoryScan(events: RecordedEvent[], head: Checkpoint = checkpointOf(events), batch = 2): ReplayScan & { scanned: number[][] } {
  const scanned: number[][] = [];
  return {
    scanned,
    async head() {
      return head;
    },
    partitionOf(streamId) {
      return events.find((event) => event.streamId === streamId)?.partition ?? 0;
    },
    async scan({ after, until, partitions, onEvents }) {
      const chosen = [...(partitions ?? partitionsOf(until))];
      scanned.push(chosen);
      for (const partition of chosen) {
        const slice = events.filter(
          (event) => event.partition === partition && event.position > positionIn(after, partition) && event.position <= positionIn(until, partition),
        );
        for (let i = 0; i < slice.length; i += batch) await onEvents(slice.slice(i, i + batch));
      }
    },
  };
}

describe('replay of a scanned log', () => {
  const scanRun = async (flags: ReplayFlags, log = memoryScan(LOG)) => {
    let out = '';
    const result = await replay({ log, query: parseReplayQuery(flags), write: async (chunk) => void (out += chunk) });
    return { out, result, log };
  };
  const places = (out: string) => lines(out).map((line) => `${line.partition}:${line.position}`);

  it('writes what the paged replay writes, each partition in order, and stops where the paged one does', async () => {
    const paged = await run({});
    const { out, result, log } = await scanRun({});
    expect(places(out).sort()).toEqual(places(paged.out).sort());
    for (const partition of [0, 1]) {
      const positions = lines(out).filter((line) => line.partition === partition).map((line) => line.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(result).toEqual(paged.result);
    expect(log.scanned).toEqual([[0, 1]]);
  });

  it('continues from --after and stops at --until, per partition', async () => {
    const { out, log } = await scanRun({ after: '0:5,1:6', until: '0:7,1:9' });
    expect(places(out).sort()).toEqual(['0:6', '0:7', '1:7']);
    expect(log.scanned).toEqual([[0, 1]]);
  });

  it('scans only the partition of the room stream for --room and applies the other filters to it', async () => {
    const { out, log } = await scanRun({ room: 'r-a', type: ['MessageSent'], user: 'u-bob' });
    expect(lines(out).map((line) => line.data.text)).toEqual(['a1', 'a3', 'a5']);
    expect(log.scanned).toEqual([[0]]);
    // Partition 1 holds room r-b and bob's receipts: the room filter keeps r-b alone.
    const roomB = await scanRun({ room: 'r-b' });
    expect(lines(roomB.out).map((line) => line.streamId)).toEqual(Array.from({ length: 6 }, () => 'room-r-b'));
    expect(roomB.log.scanned).toEqual([[1]]);
  });

  it('says where a next --after continues, also when the head lies past the last event (markers), and that replay is empty', async () => {
    const { result } = await scanRun({}, memoryScan(LOG, { 0: 10, 1: 9 }));
    expect(result.reached).toEqual({ 0: 8, 1: 7 });
    const next = await scanRun({ after: JSON.stringify(result.reached) }, memoryScan(LOG, { 0: 10, 1: 9 }));
    expect(next.out).toBe('');
    expect(next.result).toEqual({ read: 0, written: 0, reached: result.reached });
  });

  it('ends at the head it saw at the start, even when the source hands over more', async () => {
    const eager: ReplayScan = { ...memoryScan(LOG), scan: async ({ onEvents }) => onEvents(LOG) };
    const { out, result } = await scanRun({}, { ...memoryScan(LOG, { 0: 4, 1: 2 }), scan: eager.scan });
    expect(places(out).sort()).toEqual(['0:1', '0:2', '0:3', '0:4', '1:1', '1:2']);
    expect(result.reached).toEqual({ 0: 4, 1: 2 });
  });

  it('writes CSV with one header, and only the header when nothing matches', async () => {
    const { out } = await scanRun({ format: 'csv', type: ['MessageSent'], room: 'r-b' });
    const rows: string[][] = parse(out);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1).map((row) => JSON.parse(row[CSV_COLUMNS.indexOf('data')] ?? '').text)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect((await scanRun({ format: 'csv', type: ['MemberLeft'] })).out).toBe(`${CSV_COLUMNS.join(',')}\n`);
  });

  it('reports progress against the span it scans: the whole end, or the room partition only', async () => {
    const totals = async (flags: ReplayFlags) => {
      const seen: number[] = [];
      await replay({ log: memoryScan(LOG), query: parseReplayQuery(flags), write: async () => undefined, onProgress: (p) => seen.push(p.total) });
      return new Set(seen);
    };
    expect(await totals({})).toEqual(new Set([LOG.length]));
    expect(await totals({ room: 'r-b' })).toEqual(new Set([7]));
  });
});

describe('replay records', () => {
  it('a JSON line is exactly the JSON of the record, with texts that need escaping', () => {
    const event = recorded(3, 'room-r"q', sampleEvent('MessageSent', { data: { text: 'line\nbreak "quoted" \\ 👋' }, metadata: { actorId: null } }));
    expect(toJsonLine(event)).toBe(`${JSON.stringify(toReplayRecord(event))}\n`);
    expect(JSON.parse(toJsonLine(event)).data.text).toBe('line\nbreak "quoted" \\ 👋');
  });

  it('a CSV row is exactly what papaparse writes for the record, for cells that need quoting and cells that do not', () => {
    const texts = ['plain', 'comma, inside', 'say "hi"', 'line\nbreak', 'cr\rhere', ' leading', 'trailing ', '\ufeffbom', '👋', ''];
    const ids = ['r-plain', 'r,comma', 'r"quote', 'r space', ' r'];
    for (const [i, text] of texts.entries()) {
      const streamId = `room-${ids[i % ids.length] ?? ''}`;
      const event = recorded(1, streamId, sampleEvent('MessageSent', { data: { text }, metadata: { actorId: i % 2 === 0 ? null : ids[i % ids.length] } }));
      const record = toReplayRecord(event);
      const row = CSV_COLUMNS.map((column) => (column === 'data' ? JSON.stringify(record.data) : (record[column] ?? '')));
      expect(toCsvLine(event)).toBe(`${Papa.unparse([row], { newline: '\n' })}\n`);
      expect(parse(toCsvLine(event))[0]?.[CSV_COLUMNS.indexOf('streamId')]).toBe(streamId);
    }
    expect(CSV_HEADER).toBe(`${Papa.unparse([[...CSV_COLUMNS]], { newline: '\n' })}\n`);
  });

  it('never writes a password hash', () => {
    const event = recorded(0, 'user-u-alice', sampleEvent('UserRegistered'));
    expect(toJsonLine(event)).not.toContain('argon2');
    expect(toReplayRecord(event).data).not.toHaveProperty('passwordHash');
    expect(toReplayRecord(event).data).toHaveProperty('username', 'alice');
  });
});

describe('isoTime', () => {
  it('is Date#toISOString, also across seconds, before 1970 and for far years', () => {
    const times = [0, 1, 999, 1000, 1001, Date.UTC(2026, 10, 21, 23, 59, 59, 999), Date.UTC(2026, 10, 22), -1, -1001, Date.UTC(12000, 0, 1, 0, 0, 0, 7)];
    for (const ms of [...times, ...times.map((t) => t + 1), ...times.reverse()]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
