import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { eventHash } from '../../src/events/hashChain.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import { PersonalDataSealer } from '../../src/privacy/personalDataSealer.js';
import { undecorated } from '../../src/eventlog/eventLog.js';
import { SealingEventLog } from '../../src/privacy/sealingEventLog.js';
import { SqlitePersonalDataKeys } from '../../src/privacy/sqlitePersonalDataKeys.js';
import { sampleEvent } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

const NO_POLLING = 3_600_000;

describe('SealingEventLog (a real SQLite log, the Avro codec and a key store of its own)', () => {
  let dir: string;
  let keys: SqlitePersonalDataKeys;
  let inner: SqliteEventLog;
  let log: SealingEventLog;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sealing-'));
    keys = new SqlitePersonalDataKeys(join(dir, 'keys.db'));
    inner = SqliteEventLog.open({ file: join(dir, 'events.db'), codec: await createTestCodec(), pollIntervalMs: NO_POLLING });
    log = new SealingEventLog(inner, new PersonalDataSealer(keys));
  });

  afterEach(async () => {
    await log.close();
    await keys.close();
    await rm(dir, { recursive: true, force: true });
  });

  // Ids derived from the text so expectations can name them; the no-plaintext check looks for other words.
  const sent = (text: string, senderId = 'u-alice') =>
    sampleEvent('MessageSent', {
      data: { roomId: 'r1', messageId: `r1.${text.length}`, senderId, text, clientMessageId: `c-${text.length}` },
    });

  /** Every stored body of the log, in order, exactly as written. */
  function storedBodies(): Buffer[] {
    const db = new Database(join(dir, 'events.db'), { readonly: true });
    try {
      return db
        .prepare<[], Buffer>('SELECT body FROM events ORDER BY global_position')
        .pluck()
        .all();
    } finally {
      db.close();
    }
  }

  it('stores message text and email sealed (empty plaintext field, no plaintext in the bytes) and reads them back', async () => {
    const registered = sampleEvent('UserRegistered', { data: { userId: 'u-alice', email: 'alice@example.org' } });
    await log.append('user-u-alice', 'no-stream', [registered]);
    const appended = await log.append('room-r1', 'no-stream', [sent('meet me at 5 🕔')]);
    expect(appended.events[0]?.data).toMatchObject({ text: 'meet me at 5 🕔' });

    const [storedUser] = await inner.readStream('user-u-alice');
    const [storedMessage] = await inner.readStream('room-r1');
    expect(storedUser?.data).toMatchObject({ email: null, sealedEmail: { keyOwner: 'u-alice' } });
    expect(storedMessage?.data).toMatchObject({ text: '', sealedText: { keyOwner: 'u-alice' } });
    for (const body of storedBodies()) {
      expect(body.includes(Buffer.from('meet me'))).toBe(false);
      expect(body.includes(Buffer.from('alice@example.org'))).toBe(false);
    }

    const [user] = await log.readStream('user-u-alice');
    const [message] = await log.readStream('room-r1');
    expect(user?.data).toEqual(registered.data);
    expect(message?.data).toEqual(sent('meet me at 5 🕔').data);
    expect(message?.data).not.toHaveProperty('sealedText');
    expect(message?.data).not.toHaveProperty('erased');
  });

  it('answers an append with the plaintext without asking the key store again (one key call per owner per append)', async () => {
    let lookups = 0;
    let keyFors = 0;
    const counting = new SealingEventLog(
      inner,
      new PersonalDataSealer({
        keyFor: (userId) => ((keyFors += 1), keys.keyFor(userId)),
        lookup: (userIds) => ((lookups += 1), keys.lookup(userIds)),
        destroy: (userId, at) => keys.destroy(userId, at),
        close: async () => undefined,
      }),
    );
    const appended = await counting.append('room-r1', 'no-stream', [sent('one'), sent('two'), sent('three', 'u-bob')]);
    expect(appended.events.map((e) => (e.type === 'MessageSent' ? e.data.text : ''))).toEqual(['one', 'two', 'three']);
    expect({ keyFors, lookups }).toEqual({ keyFors: 2, lookups: 0 });
    await counting.readStream('room-r1');
    expect(lookups).toBe(1);
  });

  it('answers an append with exactly the events a read of them returns', async () => {
    const withFiles = sampleEvent('MessageSent', {
      data: {
        roomId: 'r1',
        messageId: 'r1.9',
        senderId: 'u-alice',
        text: 'see attached',
        clientMessageId: 'c-9',
        attachments: [{ fileId: 'f-1', name: 'plan.pdf', contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64), width: null, height: null, thumbnail: false }],
      },
    });
    const appended = await log.append('room-r1', 'no-stream', [sent('one'), withFiles, sent('three', 'u-bob')]);
    expect(appended.events).toEqual(await log.readStream('room-r1'));
  });

  it('unseals on every read path: readStream, readAll, findByCommandId and subscribe', async () => {
    const event = sent('hello');
    await log.append('room-r1', 'no-stream', [event]);
    const texts = (events: RecordedEvent[]) => events.map((e) => (e.type === 'MessageSent' ? e.data.text : e.type));
    expect(texts(await log.readStream('room-r1'))).toEqual(['hello']);
    expect(texts(await log.readAll({ limit: 10 }))).toEqual(['hello']);
    expect(texts(await log.findByCommandId(event.metadata.commandId))).toEqual(['hello']);
    const delivered = await new Promise<RecordedEvent[]>((resolve) => {
      const subscription = log.subscribe({
        after: {},
        handler: async (events) => {
          resolve(events);
          void subscription.close();
        },
      });
    });
    expect(texts(delivered)).toEqual(['hello']);
  });

  it("reads an erased user's texts and email as erased on every path, leaves others' intact, and keeps the stored bytes (so the hashes) unchanged", async () => {
    await log.append('user-u-alice', 'no-stream', [
      sampleEvent('UserRegistered', { data: { userId: 'u-alice', email: 'alice@example.org' } }),
    ]);
    const first = sent('mine');
    await log.append('room-r1', 'no-stream', [first, sent('theirs', 'u-bob')]);
    await log.append('room-r1', 2, [
      sampleEvent('MessageEdited', { data: { roomId: 'r1', messageId: 'r1.4', text: 'mine, edited', editedBy: 'u-alice' } }),
    ]);
    const hashesBefore = storedBodies().map(eventHash);

    expect(await keys.destroy('u-alice', 1)).toEqual({ destroyedNow: true });

    expect(storedBodies().map(eventHash)).toEqual(hashesBefore);
    const room = await log.readStream('room-r1');
    expect(room.map((e) => e.data)).toEqual([
      { ...first.data, text: '', erased: true },
      sent('theirs', 'u-bob').data,
      { roomId: 'r1', messageId: 'r1.4', text: '', editedBy: 'u-alice', erased: true },
    ]);
    const [user] = await log.readStream('user-u-alice');
    expect(user?.data).toMatchObject({ email: null, erased: true });
    expect(user?.data).not.toHaveProperty('sealedEmail');
    expect((await log.readAll({ limit: 10 })).filter((e) => e.data && 'erased' in e.data)).toHaveLength(3);
    expect((await log.findByCommandId(first.metadata.commandId))[0]?.data).toMatchObject({ text: '', erased: true });
  });

  it('refuses to store personal data of an erased user (PERSONAL_DATA_ERASED) and appends nothing', async () => {
    await keys.destroy('u-alice', 1);
    await expect(log.append('room-r1', 'no-stream', [sent('after erasure')])).rejects.toMatchObject({
      code: 'PERSONAL_DATA_ERASED',
    });
    expect(await log.streamVersion('room-r1')).toBe(0);
    // Events without personal data of theirs still go through.
    await log.append('room-r1', 'no-stream', [sent('bob speaks', 'u-bob')]);
    expect(await log.streamVersion('room-r1')).toBe(1);
  });

  it('reads events written before sealing (plaintext in the event) exactly as before', async () => {
    const old = sent('written in plaintext');
    await inner.append('room-r1', 'no-stream', [old]);
    await log.append('room-r1', 1, [sent('sealed one')]);
    expect((await log.readStream('room-r1')).map((e) => e.data)).toEqual([old.data, sent('sealed one').data]);
  });

  it('needs no key look-up for a batch without sealed data, and leaves such events untouched', async () => {
    await log.append('room-r1', 'no-stream', [sampleEvent('RoomCreated', { data: { roomId: 'r1' } })]);
    const [raw] = await inner.readStream('room-r1');
    const [read] = await log.readStream('room-r1');
    expect(read).toEqual(raw);
    expect(undecorated(log)).toBe(inner);
  });
});

describe('PersonalDataSealer: tampering', () => {
  let keys: SqlitePersonalDataKeys;
  let sealer: PersonalDataSealer;

  beforeEach(() => {
    keys = new SqlitePersonalDataKeys(':memory:');
    sealer = new PersonalDataSealer(keys);
  });
  afterEach(() => keys.close());

  const recordedAt = (event: ReturnType<typeof sampleEvent<'MessageSent'>>, eventId = event.eventId): RecordedEvent => ({
    ...event,
    eventId,
    streamId: 'room-r1',
    streamVersion: 1,
    partition: 0,
    position: 1,
    previousHash: null,
  });

  async function sealedMessage() {
    const [stored] = await sealer.seal([sampleEvent('MessageSent', { data: { text: 'secret', senderId: 'u-alice' } })]);
    if (stored?.type !== 'MessageSent' || stored.data.sealedText === undefined) throw new Error('not sealed');
    return { stored, sealed: stored.data.sealedText };
  }

  it('round-trips through seal and unseal', async () => {
    const { stored } = await sealedMessage();
    const [read] = await sealer.unseal([recordedAt(stored)]);
    expect(read?.data).toMatchObject({ text: 'secret' });
  });

  it.each([
    ['a flipped ciphertext bit', (s: { ciphertext: Buffer; tag: Buffer; iv: Buffer }) => ({ ...s, ciphertext: flip(s.ciphertext) })],
    ['a flipped tag bit', (s: { ciphertext: Buffer; tag: Buffer; iv: Buffer }) => ({ ...s, tag: flip(s.tag) })],
    ['another iv', (s: { ciphertext: Buffer; tag: Buffer; iv: Buffer }) => ({ ...s, iv: flip(s.iv) })],
    ['a cut tag', (s: { ciphertext: Buffer; tag: Buffer; iv: Buffer }) => ({ ...s, tag: s.tag.subarray(0, 8) })],
  ])('fails with PERSONAL_DATA_TAMPERED on %s, never returning text or erased', async (_name, tamper) => {
    const { stored, sealed } = await sealedMessage();
    const tampered = { ...stored, data: { ...stored.data, sealedText: { ...sealed, ...tamper(sealed) } } };
    await expect(sealer.unseal([recordedAt(tampered)])).rejects.toMatchObject({
      code: 'PERSONAL_DATA_TAMPERED',
      details: { userId: 'u-alice', eventId: stored.eventId, field: 'text' },
    });
  });

  it('opens a value it sealed itself from the plaintext it was handed, without decrypting it', async () => {
    const batch = await sealer.sealWithKeys([sampleEvent('MessageSent', { data: { text: 'secret', senderId: 'u-alice' } })]);
    const [stored] = batch.events;
    if (stored?.type !== 'MessageSent' || stored.data.sealedText === undefined) throw new Error('not sealed');
    expect(batch.plaintexts.get(stored.data.sealedText)).toBe('secret');
    // Handed another plaintext for that very value, it shows that one: proof that nothing was decrypted.
    const [read] = await sealer.unseal([recordedAt(stored)], batch.keys, new Map([[stored.data.sealedText, 'known']]));
    expect(read?.data).toMatchObject({ text: 'known' });
    // A copy of the value (bytes read back, not the object sealed) is decrypted as before.
    const copy = { ...stored, data: { ...stored.data, sealedText: { ...stored.data.sealedText } } };
    const [decrypted] = await sealer.unseal([recordedAt(copy)], batch.keys, batch.plaintexts);
    expect(decrypted?.data).toMatchObject({ text: 'secret' });
  });

  it('fails with PERSONAL_DATA_TAMPERED when a sealed value is copied into another event', async () => {
    const { stored } = await sealedMessage();
    await expect(sealer.unseal([recordedAt(stored, 'another-event')])).rejects.toMatchObject({ code: 'PERSONAL_DATA_TAMPERED' });
  });

  it('fails with PERSONAL_DATA_KEY_MISSING when the key store never had the owner (the wrong store), instead of reading erased', async () => {
    const { stored } = await sealedMessage();
    const otherStore = new SqlitePersonalDataKeys(':memory:');
    try {
      await expect(new PersonalDataSealer(otherStore).unseal([recordedAt(stored)])).rejects.toMatchObject({
        code: 'PERSONAL_DATA_KEY_MISSING',
      });
    } finally {
      await otherStore.close();
    }
  });
});

function flip(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[0] = (copy[0] ?? 0) ^ 1;
  return copy;
}
