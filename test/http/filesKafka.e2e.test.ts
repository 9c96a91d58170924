import { randomUUID } from 'node:crypto';
import { Jimp } from 'jimp';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRoom, HttpClient, signUp, type User } from '../support/chatFixture.js';
import { describeWithServices } from '../support/realServices.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Files in the distributed set-up (issue #16): EVENT_LOG=kafka (the upload and the send decided by the Kafka
// command processor, FileUploaded and MessageSent in different partitions) and FILE_STORE=s3 on the real
// S3-compatible server scripts/services starts. Upload, send, another member downloads the same bytes.

describeWithServices('files on Kafka and S3', ['KAFKA_BROKERS', 'S3_ENDPOINT'], (env) => {
  const topic = `test.files.events.${randomUUID()}`;
  const bucket = `files-e2e-${randomUUID().slice(0, 8)}`;
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    server = await startTestServer({
      EVENT_LOG: 'kafka',
      KAFKA_BROKERS: env('KAFKA_BROKERS'),
      KAFKA_EVENTS_TOPIC: topic,
      KAFKA_CLIENT_ID: 'files-kafka-test',
      AUTH_RATE_LIMIT_PER_MINUTE: '100',
      FILE_STORE: 's3',
      S3_ENDPOINT: env('S3_ENDPOINT'),
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY_ID ?? 'chat-local',
      S3_SECRET_ACCESS_KEY: process.env.S3_SECRET_ACCESS_KEY ?? 'chat-local-secret',
      S3_CREATE_BUCKET: 'true',
    });
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
  });

  afterAll(async () => {
    await server?.stop({ removeData: true });
    const admin = new Kafka({ clientId: 'files-kafka-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('uploads to S3, sends through the command processor, and another member downloads the same bytes', async () => {
    const png = await new Jimp({ width: 640, height: 480, color: 0x2288ccff }).getBuffer('image/png');
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'kafka.png');
    const uploaded = await fetch(`${server.baseUrl}/api/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.accessToken}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const { file } = (await uploaded.json()) as { file: { fileId: string; url: string; sha256: string; thumbnailUrl: string } };

    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const sent = await http.post('/api/chat/send', {
      token: alice.accessToken,
      body: { roomId, text: 'from S3', clientMessageId: randomUUID(), attachments: [file.fileId] },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message.attachments).toEqual([file]);

    const get = async (token: string, url: string) => {
      const response = await fetch(`${server.baseUrl}${url}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, etag: response.headers.get('etag'), bytes: Buffer.from(await response.arrayBuffer()) };
    };
    const mine = await get(alice.accessToken, file.url);
    const theirs = await get(bob.accessToken, file.url);
    expect(theirs.status).toBe(200);
    expect(theirs.etag).toBe(`"${file.sha256}"`);
    expect(theirs.bytes.equals(mine.bytes)).toBe(true);
    expect((await get(bob.accessToken, file.thumbnailUrl)).status).toBe(200);
  });
});
