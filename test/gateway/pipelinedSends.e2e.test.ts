import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, HttpClient, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// A connection's chat.send frames are appended one after the other, each as soon as the one before is in the log,
// while their acks wait for the history view (read-your-writes). What a client sees is unchanged: messages in the
// order sent, every answer in the order of its frame, and an ack only for a message the history already shows.

const SENDS = 30;

describe('chat.send frames in a row on one connection', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    alice = await signUp(http, 'alice');
    roomId = await createRoom(http, alice, 'private');
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
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
      // One refusal in the middle (an empty text), answered in its turn among the acks.
      const text = i === SENDS / 2 ? '   ' : `message ${i}`;
      client.send({ type: 'chat.send', roomId, text, clientMessageId: `p-${i}` });
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
    expect(answers[SENDS]).toMatchObject({ type: 'chat.error', code: 'VALIDATION_FAILED' });

    const acks = answers.filter((frame: Frame) => frame.type === 'chat.ack');
    expect(acks).toHaveLength(SENDS - 1);
    const seqs = acks.map((ack: Frame) => ack.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    const seen = await Promise.all(historyAtAck);
    acks.forEach((ack: Frame, index: number) => expect(seen[index]).toContain(ack.seq));
    await client.close();
  });
});
