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

const sent = (senderId: string, text: string): NewEvent =>
  sampleEvent('MessageSent', { eventId: `e-${senderId}-${text.length}`, data: { senderId, text, messageId: `r.${text.length}` } });

const asRecorded = (event: NewEvent): RecordedEvent => ({ ...sampleEvent('MessageSent'), ...event }) as RecordedEvent;

describe('PersonalDataSealer.sealerFor (a real SQLite key store)', () => {
  let dir: string;
  let keys: SqlitePersonalDataKeys;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sealer-'));
    keys = new SqlitePersonalDataKeys(join(dir, 'keys.db'));
  });
  afterEach(async () => {
    await keys.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('asks for each actor once up front, then seals without asking again, and what it seals opens', async () => {
    const store = counting(keys);
    const sealer = new PersonalDataSealer(store);
    const seal = await sealer.sealerFor(['u-alice', 'u-bob', 'u-alice']);
    expect(store.asked.sort()).toEqual(['u-alice', 'u-bob']);
    const sealed = [...(await seal([sent('u-alice', 'first'), sent('u-bob', 'second one')])), ...(await seal([sent('u-alice', 'third!')]))];
    expect(store.asked).toHaveLength(2);
    expect(sealed.map((event) => (event.type === 'MessageSent' ? event.data.text : undefined))).toEqual(['', '', '']);
    const opened = await sealer.unseal(sealed.map(asRecorded));
    expect(opened.map((event) => (event.type === 'MessageSent' ? event.data.text : undefined))).toEqual(['first', 'second one', 'third!']);
  });

  it('asks again for an owner it was not given, and refuses an erased owner as seal does', async () => {
    const store = counting(keys);
    const sealer = new PersonalDataSealer(store);
    await keys.destroy('u-erased', Date.now());
    const seal = await sealer.sealerFor(['u-alice', 'u-erased']);
    await seal([sent('u-carol', 'not prefetched')]);
    expect(store.asked).toContain('u-carol');
    await expect(seal([sent('u-erased', 'gone')])).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
    await expect(sealer.seal([sent('u-erased', 'gone')])).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
  });
});
