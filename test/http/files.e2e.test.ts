import { createHash, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { Jimp } from 'jimp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_TOKENS } from '../../src/composition/fileBindings.js';
import { PRIVACY_TOKENS } from '../../src/composition/privacyBindings.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { CLI_ADMINISTRATOR } from '../../src/commands/user/userAdministration.js';
import { HttpClient, signUp, type HttpResponse } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// Files and images over real HTTP (issue #16, API.md "Files and images"), embedded mode with the disk store: upload,
// send with attachments, download by another member (same bytes and headers), the refusals (outsider, guessed id,
// 413, 415, no thumbnail), thumbnails, EXIF stripped, the avatar, a forward, a WebSocket send, and erasure.

type User = Awaited<ReturnType<typeof signUp>>;

const MAX_FILE_BYTES = 300_000;

/** A JPEG with an EXIF segment (APP1) holding a made-up GPS note, right after the start-of-image marker. */
async function jpegWithExif(width: number, height: number): Promise<Buffer> {
  const jpeg = await new Jimp({ width, height, color: 0x3366ccff }).getBuffer('image/jpeg');
  // A minimal valid TIFF (little endian, one empty IFD) and a marker string a reader would find.
  const tiff = Buffer.concat([Buffer.from('II*\0', 'latin1'), Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, 0, 0])]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, Buffer.from('GPS-SECRET-52.52N-13.40E', 'latin1')]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(payload.length + 2);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), length, payload, jpeg.subarray(2)]);
}

describe('files and images over REST and WebSocket (embedded, disk store)', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  let png: Buffer;

  const upload = async (
    token: string,
    bytes: Buffer,
    name: string,
    type = 'application/octet-stream',
    path = '/api/files',
  ): Promise<HttpResponse> => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    const response = await fetch(`${server.baseUrl}${path}`, {
      method: path === '/api/files' ? 'POST' : 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const body: unknown = await response.json();
    return { status: response.status, headers: response.headers, body };
  };
  const download = async (token: string, url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl}${url}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const send = (token: string, body: object) =>
    http.post('/api/chat/send', { token, body: { roomId, text: '', clientMessageId: randomUUID(), ...body } });

  beforeAll(async () => {
    server = await startTestServer({ MAX_FILE_BYTES: String(MAX_FILE_BYTES) });
    http = new HttpClient(server.baseUrl);
    alice = await signUp(http, 'alice');
    bob = await signUp(http, 'bob');
    carol = await signUp(http, 'carol');
    const room = await http.post('/api/chat/rooms', {
      token: alice.accessToken,
      body: { name: 'photos', kind: 'private', memberIds: [bob.userId] },
    });
    roomId = room.body.room.roomId;
    png = await new Jimp({ width: 800, height: 400, color: 0xff8800ff }).getBuffer('image/png');
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('uploads an image: 201 with the file shape, type from the bytes (not the name), pixels and a thumbnail', async () => {
    const uploaded = await upload(alice.accessToken, png, 'holiday.jpg', 'image/jpeg');
    expect(uploaded.status).toBe(201);
    const { file } = uploaded.body;
    expect(file).toEqual({
      fileId: expect.any(String),
      name: 'holiday.jpg',
      contentType: 'image/png',
      size: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      width: 800,
      height: 400,
      url: `/api/files/${file.fileId}`,
      thumbnailUrl: `/api/files/${file.fileId}/thumbnail`,
    });
    // Recorded in the log on the file's own stream, its name sealed (never in the log as plaintext).
    const log = await server.server.service(TOKENS.eventLog);
    const [event] = await log.readStream(`file-${file.fileId}`);
    expect(event).toMatchObject({ type: 'FileUploaded', data: { fileId: file.fileId, uploadedBy: alice.userId, sha256: file.sha256 } });
  });

  it('sends it to a room with no text; another member downloads the same bytes with the same headers', async () => {
    const { body } = await upload(alice.accessToken, png, 'sunset.png', 'image/png');
    const file = body.file;
    const sent = await send(alice.accessToken, { attachments: [file.fileId] });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ text: '', attachments: [file] });

    const page = await http.get(`/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken });
    expect(page.body.messages.at(-1).attachments).toEqual([file]);

    const mine = await download(alice.accessToken, file.url);
    const theirs = await download(bob.accessToken, file.url);
    expect(theirs.status).toBe(200);
    expect(theirs.bytes.equals(mine.bytes)).toBe(true);
    expect(createHash('sha256').update(theirs.bytes).digest('hex')).toBe(file.sha256);
    for (const header of ['content-type', 'content-length', 'etag', 'content-disposition', 'x-content-type-options']) {
      expect(theirs.headers.get(header), header).toBe(mine.headers.get(header));
    }
    expect(theirs.headers.get('content-type')).toBe('image/png');
    expect(theirs.headers.get('content-length')).toBe(String(file.size));
    expect(theirs.headers.get('etag')).toBe(`"${file.sha256}"`);
    expect(theirs.headers.get('x-content-type-options')).toBe('nosniff');
    expect(theirs.headers.get('content-disposition')).toMatch(/^inline; filename="sunset.png"/);

    // Conditional and partial reads.
    expect((await download(bob.accessToken, file.url, { 'if-none-match': `"${file.sha256}"` })).status).toBe(304);
    const part = await download(bob.accessToken, file.url, { range: 'bytes=0-9' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-9/${file.size}`);
    expect(part.bytes.equals(mine.bytes.subarray(0, 10))).toBe(true);
    expect((await download(bob.accessToken, file.url, { range: `bytes=${file.size + 10}-` })).status).toBe(416);

    // The thumbnail: an image whose longest side is at most 320 px.
    const thumbnail = await download(bob.accessToken, file.thumbnailUrl);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/png');
    const small = await Jimp.read(thumbnail.bytes);
    expect(Math.max(small.bitmap.width, small.bitmap.height)).toBe(320);
  });

  it('refuses an outsider exactly like an unknown id: 404 NO_FILE, for the file and its thumbnail', async () => {
    const { body } = await upload(alice.accessToken, png, 'private.png', 'image/png');
    await send(alice.accessToken, { attachments: [body.file.fileId] });
    const outsider = await download(carol.accessToken, body.file.url);
    const unknown = await download(carol.accessToken, `/api/files/${randomUUID()}`);
    expect(outsider.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(outsider.bytes.toString()).error.code).toBe('NO_FILE');
    expect(JSON.parse(outsider.bytes.toString()).error.message).not.toContain(alice.userId);
    expect((await download(carol.accessToken, body.file.thumbnailUrl)).status).toBe(404);
    // Nor can the outsider attach it: the id alone grants nothing.
    const own = await http.post('/api/chat/rooms', { token: carol.accessToken, body: { name: 'mine', kind: 'public' } });
    const attached = await http.post('/api/chat/send', {
      token: carol.accessToken,
      body: { roomId: own.body.room.roomId, text: 'look', clientMessageId: randomUUID(), attachments: [body.file.fileId] },
    });
    expect(attached.status).toBe(404);
    expect(attached.body.error.code).toBe('NO_FILE');
  });

  it('lets a reader forward a file to another room, whose members then read it', async () => {
    const { body } = await upload(alice.accessToken, png, 'forward-me.png', 'image/png');
    await send(alice.accessToken, { attachments: [body.file.fileId] });
    const other = await http.post('/api/chat/rooms', {
      token: bob.accessToken,
      body: { name: 'bob and carol', kind: 'private', memberIds: [carol.userId] },
    });
    const forwarded = await http.post('/api/chat/send', {
      token: bob.accessToken,
      body: { roomId: other.body.room.roomId, text: 'from alice', clientMessageId: randomUUID(), attachments: [body.file.fileId] },
    });
    expect(forwarded.status).toBe(201);
    expect((await download(carol.accessToken, body.file.url)).status).toBe(200);
  });

  it('serves anything but an allowed image as an attachment, typed by its bytes', async () => {
    const text = Buffer.from('<html><script>alert(1)</script></html>\nplain text after all\n');
    const uploaded = await upload(alice.accessToken, text, 'page.png', 'image/png');
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.file).toMatchObject({ contentType: 'text/plain', name: 'page.png' });
    expect(uploaded.body.file.thumbnailUrl).toBeUndefined();
    const got = await download(alice.accessToken, uploaded.body.file.url);
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(got.headers.get('content-security-policy')).toContain('sandbox');
    const thumbnail = await download(alice.accessToken, `${uploaded.body.file.url}/thumbnail`);
    expect(thumbnail.status).toBe(404);
    expect(JSON.parse(thumbnail.bytes.toString()).error.code).toBe('NO_THUMBNAIL');
  });

  it('refuses a type that is not allowed with 415, and a file over MAX_FILE_BYTES with 413, storing nothing', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]);
    const refused = await upload(alice.accessToken, zip, 'archive.txt', 'text/plain');
    expect(refused.status).toBe(415);
    expect(refused.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const big = Buffer.alloc(MAX_FILE_BYTES + 1, 'a');
    const tooLarge = await upload(alice.accessToken, big, 'big.txt', 'text/plain');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');

    const notMultipart = await http.post('/api/files', { token: alice.accessToken, body: { file: 'x' } });
    expect(notMultipart.status).toBe(415);

    // One part named file, nothing else: an extra field is refused before anything is stored.
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('hello')], { type: 'text/plain' }), 'a.txt');
    form.append('note', 'extra');
    const extra = await fetch(`${server.baseUrl}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${alice.accessToken}` }, body: form });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    const none = new FormData();
    none.append('other', 'no file here');
    const missing = await fetch(`${server.baseUrl}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${alice.accessToken}` }, body: none });
    expect(missing.status).toBe(400);
  });

  it('leaves nothing behind when the client goes away mid-upload', async () => {
    const files = () => readdirSync(path.join(server.dataDir, 'files'), { recursive: true }).length;
    const before = files();
    const url = new URL(server.baseUrl);
    const boundary = 'cut-off-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.txt"\r\nContent-Type: text/plain\r\n\r\n`;
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /api/files HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${alice.accessToken}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 200000\r\n\r\n${head}`,
    );
    socket.write(Buffer.alloc(50_000, 'x'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Half way: its staging file exists now, and must go with the connection.
    expect(readdirSync(path.join(server.dataDir, 'uploads')).length).toBe(1);
    socket.destroy();
    await expect.poll(() => readdirSync(path.join(server.dataDir, 'uploads')).length).toBe(0);
    expect(files()).toBe(before);
  });

  it('re-encodes a JPEG: its EXIF (GPS included) is not in what is stored or served', async () => {
    const jpeg = await jpegWithExif(64, 48);
    expect(jpeg.includes(Buffer.from('GPS-SECRET'))).toBe(true);
    const uploaded = await upload(alice.accessToken, jpeg, 'gps.jpg', 'image/jpeg');
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.file).toMatchObject({ contentType: 'image/jpeg', width: 64, height: 48 });
    const got = await download(alice.accessToken, uploaded.body.file.url);
    expect(got.bytes.includes(Buffer.from('GPS-SECRET'))).toBe(false);
    expect(got.bytes.includes(Buffer.from('Exif'))).toBe(false);
  });

  it('takes an uploaded avatar: the profile points at the service, and anyone signed in reads it', async () => {
    const avatar = await new Jimp({ width: 100, height: 100, color: 0x00ff00ff }).getBuffer('image/png');
    const put = await upload(bob.accessToken, avatar, 'me.png', 'image/png', '/api/users/me/avatar');
    expect(put.status).toBe(200);
    expect(put.body.user.avatarUrl).toMatch(/^\/api\/files\/[^/]+$/);
    expect((await http.get(`/api/users/${bob.userId}`, { token: carol.accessToken })).body.user.avatarUrl).toBe(put.body.user.avatarUrl);
    expect((await download(carol.accessToken, put.body.user.avatarUrl)).status).toBe(200);

    const notImage = await upload(bob.accessToken, Buffer.from('hello'), 'me.png', 'image/png', '/api/users/me/avatar');
    expect(notImage.status).toBe(415);
  });

  it('takes attachments on the WebSocket chat.send too, and chat.event carries the file shape', async () => {
    const { body } = await upload(alice.accessToken, png, 'ws.png', 'image/png');
    const ws = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    ws.send({ type: 'room.subscribe', id: 's1', roomId });
    await ws.waitFor((frame) => frame.type === 'room.subscribed' || frame.type === 'room.live');
    const sender = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const clientMessageId = randomUUID();
    sender.send({ type: 'chat.send', roomId, text: '', clientMessageId, attachments: [body.file.fileId] });
    await sender.waitFor((frame) => frame.type === 'chat.ack' && frame.clientMessageId === clientMessageId);
    const event = await ws.waitFor(
      (frame) => frame.type === 'chat.event' && frame.event === 'MessageSent' && frame.data.clientMessageId === clientMessageId,
    );
    expect(event.data.attachments).toEqual([body.file]);
    ws.ws.close();
    sender.ws.close();
  });

  it("erasing the uploader deletes the file's bytes: readers get 410, and messages say it was erased", async () => {
    const eve = await signUp(http, 'eve');
    const room = await http.post('/api/chat/rooms', { token: eve.accessToken, body: { name: 'eve', kind: 'public' } });
    const { body } = await upload(eve.accessToken, png, 'eve.png', 'image/png');
    await http.post('/api/chat/send', {
      token: eve.accessToken,
      body: { roomId: room.body.room.roomId, text: 'mine', clientMessageId: randomUUID(), attachments: [body.file.fileId] },
    });
    expect((await download(bob.accessToken, body.file.url)).status).toBe(200);

    const admin = await server.server.service(PRIVACY_TOKENS.userAdministration);
    await admin.erase(CLI_ADMINISTRATOR, eve.userId);
    let status = 0;
    for (let i = 0; i < 50 && status !== 410; i++) {
      status = (await download(bob.accessToken, body.file.url)).status;
      if (status !== 410) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(410);
    const page = await http.get(`/api/chat/rooms/${room.body.room.roomId}/messages`, { token: bob.accessToken });
    expect(page.body.messages.at(-1).attachments[0]).toMatchObject({ fileId: body.file.fileId, name: '', erased: true });
    const store = await server.server.service(FILE_TOKENS.fileStore);
    expect(await store.head(`${eve.userId}/${body.file.sha256}`)).toBeUndefined();
  });
});

describe('upload budgets per user per day', () => {
  it('refuses the upload past UPLOADS_PER_USER_PER_DAY with 429, and attachments past MAX_ATTACHMENTS_PER_MESSAGE', async () => {
    const server = await startTestServer({ UPLOADS_PER_USER_PER_DAY: '3', MAX_ATTACHMENTS_PER_MESSAGE: '2' });
    try {
      const http = new HttpClient(server.baseUrl);
      const frank = await signUp(http, 'frank');
      const room = await http.post('/api/chat/rooms', { token: frank.accessToken, body: { name: 'mine', kind: 'public' } });
      const upload = async (n: number) => {
        const form = new FormData();
        form.append('file', new Blob([Buffer.from(`note ${n}`)], { type: 'text/plain' }), `${n}.txt`);
        const response = await fetch(`${server.baseUrl}/api/files`, {
          method: 'POST',
          headers: { authorization: `Bearer ${frank.accessToken}` },
          body: form,
        });
        return { status: response.status, body: (await response.json()) as { file: { fileId: string }; error: { code: string } } };
      };
      const ids: string[] = [];
      for (const n of [1, 2, 3]) ids.push((await upload(n)).body.file.fileId);
      const fourth = await upload(4);
      expect(fourth.status).toBe(429);
      expect(fourth.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
      const tooMany = await http.post('/api/chat/send', {
        token: frank.accessToken,
        body: { roomId: room.body.room.roomId, text: '', clientMessageId: randomUUID(), attachments: ids },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { max: 2 } });
    } finally {
      await server.stop({ removeData: true });
    }
  });
});
