import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { NewEvent } from '../../src/events/envelope.js';
import type { EncodedFrame, ServerFrame } from '../../src/gateway/protocol.js';
import { encodeFrame } from '../../src/gateway/protocol.js';
import { RoomHub, type HubConnection } from '../../src/gateway/roomHub.js';
import { sampleEvent } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

// The hub corks every socket it writes to while dispatching one batch of the log, and uncorks it once the batch
// is out, so a batch of frames leaves a socket in one write; frames sent outside a batch are never held.

const roomId = 'r-cork';
const streamId = `room-${roomId}`;
const message = (seq: number): NewEvent =>
  sampleEvent('MessageSent', { data: { roomId, messageId: `${roomId}.${seq}`, text: `text ${seq}`, clientMessageId: `c-${seq}` } });

/** Records sends and cork/uncork calls in order, and whether a frame was written while corked. */
class CorkRecordingConnection implements HubConnection {
  readonly calls: string[] = [];
  bufferedAmount = 0;
  private corks = 0;

  send(data: EncodedFrame): void {
    const frame = JSON.parse(data.toString()) as ServerFrame;
    this.calls.push(`${frame.type === 'chat.event' ? `event ${frame.seq}` : frame.type}${this.corks > 0 ? ' (corked)' : ''}`);
  }
  sendFrame(frame: ServerFrame): void {
    this.send(encodeFrame(frame));
  }
  async sendAndWait(data: EncodedFrame): Promise<void> {
    this.send(data);
  }
  close(): void {}
  cork(): void {
    this.corks += 1;
    this.calls.push('cork');
  }
  uncork(): void {
    this.corks -= 1;
    this.calls.push('uncork');
  }
}

describe('RoomHub corking', () => {
  let log: SqliteEventLog;
  let hub: RoomHub;

  beforeEach(async () => {
    log = SqliteEventLog.open({ file: ':memory:', codec: await createTestCodec(), pollIntervalMs: 3_600_000 });
    await log.append(streamId, 'no-stream', [sampleEvent('RoomCreated', { data: { roomId } }), sampleEvent('MemberJoined', { data: { roomId, userId: 'u-bob' } })]);
    hub = new RoomHub({ log, logger: pino({ level: 'silent' }), waitForHistory: async () => undefined });
    await hub.start();
  });
  afterEach(async () => {
    await hub.stop();
    await log.close();
  });

  it('holds each socket for a whole batch of the log: corked once before its first frame, uncorked after its last', async () => {
    const connections = [new CorkRecordingConnection(), new CorkRecordingConnection()];
    for (const [i, connection] of connections.entries()) {
      await hub.subscribe({ connection, userId: `u-${i}` }, roomId, { afterSeq: undefined, ref: undefined, authorize: async () => 2 });
    }
    // One append, one commit: the hub's subscription reads the three events as one batch.
    await log.append(streamId, 2, [message(3), message(4), message(5)]);
    for (const connection of connections) {
      await vi.waitFor(() => expect(connection.calls.at(-1)).toBe('uncork'));
      expect(connection.calls).toEqual(['room.subscribed', 'cork', 'event 3 (corked)', 'event 4 (corked)', 'event 5 (corked)', 'uncork']);
    }
  });

  it('corks nothing for a batch that writes nothing to a socket', async () => {
    const connection = new CorkRecordingConnection();
    await hub.subscribe({ connection, userId: 'u-0' }, roomId, { afterSeq: undefined, ref: undefined, authorize: async () => 2 });
    // Another room's events reach the hub but are not this subscriber's.
    const other = 'room-r-elsewhere';
    const appended = await log.append(other, 'no-stream', [sampleEvent('RoomCreated', { data: { roomId: 'r-elsewhere' } })]);
    await log.append(streamId, 2, [message(3)]);
    await vi.waitFor(() => expect(connection.calls.at(-1)).toBe('uncork'));
    expect(appended.events).toHaveLength(1);
    expect(connection.calls).toEqual(['room.subscribed', 'cork', 'event 3 (corked)', 'uncork']);
  });
});
