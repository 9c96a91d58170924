import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type DecisionContext } from '../../../src/commands/decider.js';
import type { RoomCommand } from '../../../src/commands/commands.js';
import { StreamWriter, type BeforeEncode, type EncodeEvent, type EncodedEvent, type WriterLog } from '../../../src/commands/processor/streamWriter.js';
import { roomDecider } from '../../../src/commands/room/roomDecider.js';
import type { RoomState } from '../../../src/commands/room/roomState.js';
import type { RoomEvent } from '../../../src/events/chatEvents.js';
import type { RecordedEvent } from '../../../src/events/envelope.js';
import { asRoomEvent } from '../../../src/events/eventGuards.js';
import { GENESIS_HASH, eventHash } from '../../../src/events/hashChain.js';
import { makeJsonTestCodec } from '../../support/testCodecs.js';

const codec = makeJsonTestCodec();
const encode: EncodeEvent = (event, streamId, streamVersion, previousHash) => codec.encode({ ...event, streamId, streamVersion, previousHash });
const identity: BeforeEncode = (events) => Promise.resolve(events);
const alice: DecisionContext = { actor: { userId: 'alice', role: 'user' }, limits: DEFAULT_LIMITS };
const STREAM = 'room-r1';

/** The events topic as far as a test commits to it: what a writer decided, stored as bytes and read back. */
class CommittedLog implements WriterLog {
  readonly bodies: Buffer[] = [];
  commit(encoded: EncodedEvent[]): void {
    this.bodies.push(...encoded.map((event) => event.value));
  }
  readStream(_streamId: string, { fromVersion }: { fromVersion: number }): Promise<RecordedEvent[]> {
    return Promise.resolve(this.bodies.map((body, i) => codec.decode(body, { partition: 0, position: i + 1 })).filter((event) => event.streamVersion >= fromVersion));
  }
  lastStoredBody(): Buffer | undefined {
    return this.bodies.at(-1);
  }
}

function writer(): StreamWriter<RoomCommand, RoomState, RoomEvent> {
  let id = 0;
  return new StreamWriter({
    decider: roomDecider,
    asDeciderEvent: asRoomEvent,
    clock: { now: () => 1_700_000_000_000 },
    ids: { next: () => `e${++id}` },
    maxCachedStreams: 10,
  });
}

const decide = (w: StreamWriter<RoomCommand, RoomState, RoomEvent>, log: WriterLog, command: RoomCommand, commandId: string) =>
  w.decide(log, 0, STREAM, command, alice, { commandId, correlationId: commandId }, identity, encode);

describe('StreamWriter', () => {
  it('chains each event to the stored bytes of the one before, from the genesis hash, within and across commands', async () => {
    const log = new CommittedLog();
    const w = writer();
    log.commit(await decide(w, log, { type: 'CreateRoom', roomId: 'r1', name: 'one', kind: 'public', memberIds: [] }, 'c1'));
    log.commit(await decide(w, log, { type: 'SendMessage', roomId: 'r1', text: 'hi', clientMessageId: 'm1' }, 'c2'));
    const stored = await log.readStream(STREAM, { fromVersion: 1 });
    expect(stored.map((event) => [event.type, event.streamVersion])).toEqual([
      ['RoomCreated', 1],
      ['MemberJoined', 2],
      ['MessageSent', 3],
    ]);
    expect(stored.map((event) => event.previousHash)).toEqual([GENESIS_HASH, eventHash(log.bodies[0]!), eventHash(log.bodies[1]!)]);
    expect(stored.every((event) => event.metadata.commandId === (event.streamVersion < 3 ? 'c1' : 'c2'))).toBe(true);
  });

  it('leaves the state as it was when the decider rejects', async () => {
    const log = new CommittedLog();
    const w = writer();
    log.commit(await decide(w, log, { type: 'CreateRoom', roomId: 'r1', name: 'one', kind: 'public', memberIds: [] }, 'c1'));
    await expect(decide(w, log, { type: 'CreateRoom', roomId: 'r1', name: 'again', kind: 'public', memberIds: [] }, 'c2')).rejects.toMatchObject({
      code: 'ROOM_EXISTS',
    });
    const next = await decide(w, log, { type: 'SendMessage', roomId: 'r1', text: 'still 3', clientMessageId: 'm' }, 'c3');
    expect(codec.decode(next[0]!.value, { partition: 0, position: 1 }).streamVersion).toBe(3);
  });

  it('folds a dropped partition again from what was committed, not from what it had decided', async () => {
    const log = new CommittedLog();
    const w = writer();
    log.commit(await decide(w, log, { type: 'CreateRoom', roomId: 'r1', name: 'one', kind: 'public', memberIds: [] }, 'c1'));
    // Decided, but its transaction failed: never committed.
    await decide(w, log, { type: 'SendMessage', roomId: 'r1', text: 'lost', clientMessageId: 'm1' }, 'c2');
    w.dropPartition(0);
    const retried = await decide(w, log, { type: 'SendMessage', roomId: 'r1', text: 'lost', clientMessageId: 'm1' }, 'c2');
    const event = codec.decode(retried[0]!.value, { partition: 0, position: 1 });
    expect(event.streamVersion).toBe(3);
    expect(event.previousHash).toBe(eventHash(log.bodies[1]!));
  });

  it('encodes what beforeEncode returns, and evolves its own state from what was decided', async () => {
    const log = new CommittedLog();
    const w = writer();
    const upper: BeforeEncode = (events) =>
      Promise.resolve(events.map((event) => (event.type === 'MessageSent' ? { ...event, data: { ...event.data, text: event.data.text.toUpperCase() } } : event)));
    log.commit(await decide(w, log, { type: 'CreateRoom', roomId: 'r1', name: 'one', kind: 'public', memberIds: [] }, 'c1'));
    const sent = await w.decide(log, 0, STREAM, { type: 'SendMessage', roomId: 'r1', text: 'quiet', clientMessageId: 'm' }, alice, { commandId: 'c2', correlationId: 'k' }, upper, encode);
    expect(codec.decode(sent[0]!.value, { partition: 0, position: 1 })).toMatchObject({ data: { text: 'QUIET' } });
  });
});
