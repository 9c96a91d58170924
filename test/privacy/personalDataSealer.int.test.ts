import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../src/events/envelope.js';
import type { PersonalDataKeys } from '../../src/privacy/personalDataKeys.js';
import { PersonalDataSealer } from '../../src/privacy/personalDataSealer.js';
import { SqlitePersonalDataKeys } from '../../src/privacy/sqlitePersonalDataKeys.js';
import { sampleEvent } from '../support/sampleEvents.js';

// sealerFor: the Kafka command processor's chunk asks for every actor's key at once. What it seals must open with
// the same keys as `seal`'s, and an owner whose key is gone must fail the same way.

/** The real SQLite key store, counting the keyFor calls that reach it. */
function counting(keys: PersonalDataKeys): PersonalDataKeys & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    keyFor: (userId) => {
      asked.push(userId);
      return keys.keyFor(userId);
    },
    lookup: (userIds) => keys.lookup(userIds),
    destroy: (userId, at) => keys.destroy(userId, at),
    close: () => keys.close(),
  };
}

/** A fresh SQLite key store for each test of the describe block it is called in. */
function realKeyStore(): { readonly keys: SqlitePersonalDataKeys } {
  let dir = '';
  const current: { keys?: SqlitePersonalDataKeys } = {};
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sealer-'));
    current.keys = new SqlitePersonalDataKeys(join(dir, 'keys.db'));
  });
  afterEach(async () => {
    await current.keys?.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get keys() {
      if (!current.keys) throw new Error('the key store is opened before each test');
      return current.keys;
    },
  };
}

const sent = (senderId: string, text: string): NewEvent =>
  sampleEvent('MessageSent', { eventId: `e-${senderId}-${text.length}`, data: { senderId, text, messageId: `r.${text.length}` } });

const asRecorded = (event: NewEvent): RecordedEvent => ({ ...sampleEvent('MessageSent'), ...event }) as RecordedEvent;

describe('PersonalDataSealer.sealerFor (a real SQLite key store)', () => {
  const keyStore = realKeyStore();

  it('asks for each actor once up front, then seals without asking again, and what it seals opens', async () => {
    const store = counting(keyStore.keys);
    const sealer = new PersonalDataSealer(store);
    const seal = await sealer.sealerFor(['u-alice', 'u-bob', 'u-alice']);
    expect(store.asked.sort()).toEqual(['u-alice', 'u-bob']);
    const sealed = [...(await seal([sent('u-alice', 'first'), sent('u-bob', 'second one')])), ...(await seal([sent('u-alice', 'third!')]))];
    expect(store.asked).toHaveLength(2);
    expect(sealed.map((event) => (event.type === 'MessageSent' ? event.data.text : undefined))).toEqual(['', '', '']);
    // Another sealer over the same keys: it decrypts (this one would open from what it just sealed, recentlySealed.ts).
    const opened = await new PersonalDataSealer(keyStore.keys).unseal(sealed.map(asRecorded));
    expect(opened.map((event) => (event.type === 'MessageSent' ? event.data.text : undefined))).toEqual(['first', 'second one', 'third!']);
  });

  it('asks again for an owner it was not given, and refuses an erased owner as seal does', async () => {
    const store = counting(keyStore.keys);
    const sealer = new PersonalDataSealer(store);
    await keyStore.keys.destroy('u-erased', Date.now());
    const seal = await sealer.sealerFor(['u-alice', 'u-erased']);
    await seal([sent('u-carol', 'not prefetched')]);
    expect(store.asked).toContain('u-carol');
    await expect(seal([sent('u-erased', 'gone')])).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
    await expect(sealer.seal([sent('u-erased', 'gone')])).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
  });
});

/** The event as a reader gets it from the log: the same values in new buffers (decoded from the stored bytes). */
function readBack(event: NewEvent, change: (ciphertext: Buffer) => Buffer = (bytes) => bytes): RecordedEvent {
  if (event.type !== 'MessageSent' || event.data.sealedText === undefined) throw new Error('not a sealed MessageSent');
  const { iv, tag, ciphertext, keyOwner } = event.data.sealedText;
  const copy = { keyOwner, iv: Buffer.from(iv), tag: Buffer.from(tag), ciphertext: change(Buffer.from(ciphertext)) };
  return asRecorded({ ...event, data: { ...event.data, sealedText: copy } });
}

const textOf = (event: RecordedEvent | undefined): string | undefined => (event?.type === 'MessageSent' ? event.data.text : undefined);

describe('PersonalDataSealer: its own events read back (a real SQLite key store)', () => {
  const keyStore = realKeyStore();

  it('opens them to their plaintext, again and again', async () => {
    const sealer = new PersonalDataSealer(keyStore.keys);
    const [stored] = await sealer.seal([sent('u-alice', 'hello there')]);
    if (stored === undefined) throw new Error('nothing sealed');
    for (let i = 0; i < 3; i++) expect(textOf((await sealer.unseal([readBack(stored)]))[0])).toBe('hello there');
  });

  it('refuses one whose bytes changed on the way, as decrypting would', async () => {
    const sealer = new PersonalDataSealer(keyStore.keys);
    const [stored] = await sealer.seal([sent('u-alice', 'hello there')]);
    if (stored === undefined) throw new Error('nothing sealed');
    const flipped = readBack(stored, (bytes) => {
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes;
    });
    await expect(sealer.unseal([flipped])).rejects.toMatchObject({ code: 'PERSONAL_DATA_TAMPERED' });
    // Its true bytes still open: the refusal did not take what was remembered for another value.
    expect(textOf((await sealer.unseal([readBack(stored)]))[0])).toBe('hello there');
  });

  it("reads one as erased once its owner's key is destroyed, even a moment after sealing it", async () => {
    const sealer = new PersonalDataSealer(keyStore.keys);
    const [stored] = await sealer.seal([sent('u-alice', 'hello there')]);
    if (stored === undefined) throw new Error('nothing sealed');
    await keyStore.keys.destroy('u-alice', Date.now());
    const [opened] = await sealer.unseal([readBack(stored)]);
    expect(opened?.type === 'MessageSent' && opened.data).toMatchObject({ text: '', erased: true });
  });
});
