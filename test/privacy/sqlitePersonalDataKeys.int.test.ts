import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqlitePersonalDataKeys } from '../../src/privacy/sqlitePersonalDataKeys.js';
import { personalDataKeysContract } from './personalDataKeysContract.js';

personalDataKeysContract('SqlitePersonalDataKeys (two handles on one temp file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keys-'));
  const keys = new SqlitePersonalDataKeys(join(dir, 'keys.db'));
  const other = new SqlitePersonalDataKeys(join(dir, 'keys.db'));
  return {
    keys,
    other,
    cleanup: async () => {
      await keys.close();
      await other.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqlitePersonalDataKeys specifics', () => {
  it('leaves no copy of a destroyed key in the database file or its WAL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keys-'));
    try {
      const file = join(dir, 'keys.db');
      const keys = new SqlitePersonalDataKeys(file);
      const key = await keys.keyFor('u-alice');
      await keys.keyFor('u-bob');
      await keys.destroy('u-alice', 1);
      await keys.close();
      const bytes = Buffer.concat([await readFile(file), await readFile(`${file}-wal`).catch(() => Buffer.alloc(0))]);
      expect(bytes.includes(key)).toBe(false);
      const reopened = new SqlitePersonalDataKeys(file);
      await expect(reopened.keyFor('u-alice')).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
