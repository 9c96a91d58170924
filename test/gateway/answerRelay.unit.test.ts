import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AnswerRef } from '../../src/assistants/answerSignals.js';
import { AnswerRelay, LOST_ANSWER_GRACE_MS } from '../../src/gateway/answerRelay.js';
import type { EncodedFrame, ServerFrame } from '../../src/gateway/protocol.js';
import type { HubClient, HubConnection } from '../../src/gateway/roomHub.js';

// The gateway's relay of assistants' answers (issue #19), against a hub of recording connections.

class RecordingConnection implements HubConnection {
  readonly frames: ServerFrame[] = [];
  bufferedAmount = 0;
  send(data: EncodedFrame): void {
    this.frames.push(JSON.parse(data.toString('utf8')) as ServerFrame);
  }
  sendFrame(frame: ServerFrame): void {
    this.frames.push(frame);
  }
  async sendAndWait(data: EncodedFrame): Promise<void> {
    this.send(data);
  }
  close(): void {}
}

function setup() {
  const live = new Map<string, HubClient[]>();
  let now = 1_000_000;
  const relay = new AnswerRelay({ liveClients: (roomId) => live.get(roomId) ?? [] }, { now: () => now }, pino({ level: 'silent' }));
  const client = (userId: string, roomId: string, isLive = true) => {
    const connection = new RecordingConnection();
    const hubClient: HubClient = { connection, userId };
    if (isLive) live.set(roomId, [...(live.get(roomId) ?? []), hubClient]);
    return { connection, hubClient };
  };
  return { relay, client, advance: (ms: number) => (now += ms), now: () => now };
}

const answer: AnswerRef = { streamId: 's1', roomId: 'r1', replyTo: 'r1.4', senderId: 'bot', askerId: 'alice' };

describe('AnswerRelay', () => {
  it("relays each piece to the room's live subscribers in order, then the end with the stored message", () => {
    const { relay, client, now } = setup();
    const alice = client('alice', 'r1');
    const bob = client('bob', 'r1');
    const elsewhere = client('carol', 'r2');
    relay.onSignal({ kind: 'started', answer, deadline: now() + 1000 });
    relay.onSignal({ kind: 'piece', answer, index: 0, delta: 'Hel' });
    relay.onSignal({ kind: 'piece', answer, index: 1, delta: 'lo' });
    relay.onSignal({ kind: 'done', answer, messageId: 'r1.5', seq: 5 });
    for (const { connection } of [alice, bob]) {
      expect(connection.frames).toEqual([
        { type: 'chat.stream', roomId: 'r1', streamId: 's1', replyTo: 'r1.4', senderId: 'bot', delta: 'Hel', done: false },
        { type: 'chat.stream', roomId: 'r1', streamId: 's1', replyTo: 'r1.4', senderId: 'bot', delta: 'lo', done: false },
        { type: 'chat.stream', roomId: 'r1', streamId: 's1', replyTo: 'r1.4', senderId: 'bot', delta: '', done: true, messageId: 'r1.5', seq: 5 },
      ]);
    }
    expect(elsewhere.connection.frames).toEqual([]);
    expect(relay.streaming('r1')).toEqual([]);
  });

  it('gives a subscriber who catches up mid-answer the text so far in one frame', () => {
    const { relay, client, now } = setup();
    relay.onSignal({ kind: 'started', answer, deadline: now() + 1000 });
    relay.onSignal({ kind: 'piece', answer, index: 0, delta: 'one ' });
    relay.onSignal({ kind: 'piece', answer, index: 1, delta: 'two ' });
    const late = client('bob', 'r1');
    relay.caughtUp(late.hubClient, 'r1');
    relay.onSignal({ kind: 'piece', answer, index: 2, delta: 'three' });
    expect(late.connection.frames.map((f) => f.type === 'chat.stream' && f.delta)).toEqual(['one two ', 'three']);
  });

  it('tells the room a failed answer ended and the asker why; an absent asker hears it on their next subscription', () => {
    const { relay, client, now } = setup();
    const bob = client('bob', 'r1');
    relay.onSignal({ kind: 'started', answer, deadline: now() + 1000 });
    const error = { code: 'AI_TIMEOUT' as const, message: 'too slow', ref: 'q-1', details: { messageId: 'r1.4' } };
    relay.onSignal({ kind: 'failed', answer, error });
    expect(bob.connection.frames).toEqual([
      { type: 'chat.stream', roomId: 'r1', streamId: 's1', replyTo: 'r1.4', senderId: 'bot', delta: '', done: true, error: 'AI_TIMEOUT' },
    ]);
    const alice = client('alice', 'r1', false);
    relay.caughtUp(alice.hubClient, 'r1');
    expect(alice.connection.frames).toEqual([{ type: 'chat.error', code: 'AI_TIMEOUT', message: 'too slow', ref: 'q-1', details: { messageId: 'r1.4' } }]);
    relay.caughtUp(alice.hubClient, 'r1');
    expect(alice.connection.frames).toHaveLength(1);
  });

  it('ends an answer whose process went silent past its deadline, telling the asker it was interrupted', () => {
    const { relay, client, now, advance } = setup();
    const alice = client('alice', 'r1');
    relay.onSignal({ kind: 'started', answer, deadline: now() + 1000 });
    relay.onSignal({ kind: 'piece', answer, index: 0, delta: 'half' });
    advance(1000 + LOST_ANSWER_GRACE_MS);
    relay.sweep();
    expect(alice.connection.frames).toHaveLength(1);
    advance(1);
    relay.sweep();
    expect(alice.connection.frames.at(-2)).toMatchObject({ type: 'chat.stream', done: true, error: 'AI_ERROR' });
    expect(alice.connection.frames.at(-1)).toMatchObject({ type: 'chat.error', code: 'AI_ERROR', details: { reason: 'interrupted' } });
    advance(1);
    relay.sweep();
    expect(relay.streaming('r1')).toEqual([]);
    expect(alice.connection.frames).toHaveLength(3);
  });
  it('tells only the asker of a refused question', () => {
    const { relay, client } = setup();
    const alice = client('alice', 'r1');
    const bob = client('bob', 'r1');
    relay.onSignal({ kind: 'refused', roomId: 'r1', askerId: 'alice', error: { code: 'ALREADY_PROCESSING', message: 'busy', ref: 'q-2', details: {} } });
    expect(alice.connection.frames).toEqual([{ type: 'chat.error', code: 'ALREADY_PROCESSING', message: 'busy', ref: 'q-2', details: {} }]);
    expect(bob.connection.frames).toEqual([]);
  });
});
