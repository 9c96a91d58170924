import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, HttpClient, signUp, type User } from '../support/chatFixture.js';
import { deleteTopicsOf } from '../support/kafkaMode.js';
import { describeWithServices } from '../support/realServices.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// A connection's chat.send frames are handed to the room's writer one after the other, each as soon as the one
// before has its place: appended (embedded), or queued for the commands topic in order (Kafka: the processor
// decides them in that order). Their acks wait for the writer's answer and the history view (read-your-writes).
// What a client sees is the same in both modes: messages in the order sent, every answer in the order of its
// frame, refusals decided by the writer in their turn, and an ack only for a message the history already shows.

const SENDS = 30;

describe('chat.send frames in a row on one connection (embedded)', () => {
  pipelinedSends(() => ({}));
});

describeWithServices('chat.send frames in a row on one connection (Kafka command processor)', ['KAFKA_BROKERS'], (env) => {
  const topic = `test.pipelined.events.${randomUUID()}`;
  pipelinedSends(() => ({ EVENT_LOG: 'kafka', KAFKA_BROKERS: env('KAFKA_BROKERS'), KAFKA_EVENTS_TOPIC: topic, KAFKA_CLIENT_ID: 'pipelined-sends-test' }));
  afterAll(() => deleteTopicsOf(env('KAFKA_BROKERS'), topic));
});

function pipelinedSends(settings: () => Record<string, string>): void {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000', ...settings() });
    http = new HttpClient(server.baseUrl);
    alice = await signUp(http, 'alice');
    roomId = await createRoom(http, alice, 'private');
  });
  afterAll(async () => {
    await server?.stop({ removeData: true });
  });

  it('answers every frame in order, acks messages in the order sent, and only once the history shows them', async () => {
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken, { answerPings: true });
    const historyAtAck: Promise<number[]>[] = [];
    client.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type !== 'chat.ack') return;
      // Read as the ack arrives: the message it names must already be in the history.
      historyAtAck.push(
        http
          .get(`/api/chat/rooms/${roomId}/messages?limit=100`, { token: alice.accessToken })
          .then((response) => response.body.messages.map((message: { seq: number }) => message.seq)),
      );
    });

    const expected: string[] = [];
    for (let i = 0; i < SENDS; i++) {
      // Two refusals in the middle, answered in their turn among the acks: an empty text, and a reply to a message
      // the room does not have, which only the room's writer can tell (in Kafka mode: after the send was queued).
      const text = i === SENDS / 2 ? '   ' : `message ${i}`;
      const replyTo = i === SENDS / 2 + 1 ? { replyTo: `${roomId}.9999` } : {};
      client.send({ type: 'chat.send', roomId, text, clientMessageId: `p-${i}`, ...replyTo });
      expected.push(`p-${i}`);
    }
    // A frame refused before any handler runs (no text at all), right behind acks that are still waiting.
    client.send({ type: 'chat.send', roomId, clientMessageId: 'p-malformed' });
    expected.push('p-malformed');
    client.send({ type: 'room.unsubscribe', roomId: 'not-subscribed', id: 'after-the-sends' });
    expected.push('after-the-sends');

    await client.waitFor((frame) => frame.type === 'room.unsubscribed' && frame.ref === 'after-the-sends');
    const answers = client.frames.filter((frame: Frame) => ['chat.ack', 'chat.error', 'room.unsubscribed'].includes(frame.type));
    expect(answers.map((frame: Frame) => frame.ref)).toEqual(expected);
    expect(answers[SENDS / 2]).toMatchObject({ type: 'chat.error', code: 'EMPTY_CONTENT' });
    expect(answers[SENDS / 2 + 1]).toMatchObject({ type: 'chat.error', code: 'NO_MESSAGE' });
    expect(answers[SENDS]).toMatchObject({ type: 'chat.error', code: 'VALIDATION_FAILED' });

    const acks = answers.filter((frame: Frame) => frame.type === 'chat.ack');
    expect(acks).toHaveLength(SENDS - 2);
    const seqs = acks.map((ack: Frame) => ack.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    const seen = await Promise.all(historyAtAck);
    acks.forEach((ack: Frame, index: number) => expect(seen[index]).toContain(ack.seq));

    // The room holds the messages in the order they were sent, and nothing else.
    const page = await http.get(`/api/chat/rooms/${roomId}/messages?limit=100`, { token: alice.accessToken });
    const sentTexts = Array.from({ length: SENDS }, (_, i) => `message ${i}`).filter((_, i) => i !== SENDS / 2 && i !== SENDS / 2 + 1);
    expect(page.body.messages.map((message: { text: string }) => message.text)).toEqual(sentTexts);
    await client.close();
  });
}
