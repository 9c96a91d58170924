import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileStore } from '../../src/files/fileStore.js';

// What every file store must do (src/files/fileStore.ts), run against each adapter: the local disk
// (diskFileStore.int.test.ts) and a real S3-compatible server (s3FileStore.int.test.ts, s3proxy from scripts/services).

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

export function fileStoreContract(name: string, open: () => Promise<FileStore>): void {
  describe(`${name}: the file store contract`, () => {
    let store: FileStore;
    let scratch: string;
    const run = randomBytes(6).toString('hex');
    const key = (suffix: string): string => `contract-${run}/${suffix}`;

    beforeAll(async () => {
      store = await open();
      await store.check();
      scratch = mkdtempSync(path.join(tmpdir(), 'file-store-'));
    });
    afterAll(async () => {
      await store.deletePrefix(`contract-${run}/`);
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('stores a buffer and gives the same bytes back, with their size', async () => {
      const bytes = Buffer.from('héllo, wörld 👋');
      await store.put(key('a.txt'), bytes, 'text/plain');
      const got = await store.get(key('a.txt'));
      expect(got?.size).toBe(bytes.length);
      expect(got?.length).toBe(bytes.length);
      expect(await bytesOf(got!.stream)).toEqual(bytes);
      expect(await store.head(key('a.txt'))).toEqual({ size: bytes.length });
    });

    it('streams a local file in (a few MB, never read whole by the caller) and out', async () => {
      const bytes = randomBytes(3 * 1024 * 1024 + 17);
      const file = path.join(scratch, 'big.bin');
      writeFileSync(file, bytes);
      await store.put(key('big.bin'), { path: file, size: bytes.length }, 'application/octet-stream');
      const got = await store.get(key('big.bin'));
      expect(got?.size).toBe(bytes.length);
      expect((await bytesOf(got!.stream)).equals(bytes)).toBe(true);
    });

    it('serves a byte range, inclusive at both ends, with the whole size', async () => {
      await store.put(key('range.txt'), Buffer.from('0123456789'), 'text/plain');
      const got = await store.get(key('range.txt'), { start: 2, end: 5 });
      expect(got?.length).toBe(4);
      expect(got?.size).toBe(10);
      expect(await text(got!.stream)).toBe('2345');
    });

    it('replaces an object put again under the same key', async () => {
      await store.put(key('again.txt'), Buffer.from('first'), 'text/plain');
      await store.put(key('again.txt'), Buffer.from('second, longer'), 'text/plain');
      expect(await text((await store.get(key('again.txt')))!.stream)).toBe('second, longer');
    });

    it('answers undefined for a missing object, and deleting one is harmless', async () => {
      expect(await store.get(key('missing'))).toBeUndefined();
      expect(await store.head(key('missing'))).toBeUndefined();
      await store.delete(key('missing'));
    });

    it('deletes one object, then a whole folder (and only that folder)', async () => {
      await store.put(key('gone.txt'), Buffer.from('x'), 'text/plain');
      await store.delete(key('gone.txt'));
      expect(await store.head(key('gone.txt'))).toBeUndefined();

      for (const n of [1, 2, 3]) await store.put(key(`user-a/${n}`), Buffer.from(`a${n}`), 'text/plain');
      await store.put(key('user-ab/1'), Buffer.from('ab'), 'text/plain');
      expect(await store.deletePrefix(`contract-${run}/user-a/`)).toBe(3);
      expect(await store.head(key('user-a/1'))).toBeUndefined();
      expect(await store.head(key('user-ab/1'))).toEqual({ size: 2 });
      expect(await store.deletePrefix(`contract-${run}/user-a/`)).toBe(0);
    });

    it('refuses keys that are not plain folder/name paths', async () => {
      for (const bad of ['../escape', 'a/../b', '/abs', 'a//b', '.hidden', 'sp ace']) {
        await expect(store.put(bad, Buffer.from('x'), 'text/plain'), bad).rejects.toThrow(/invalid file store key/);
      }
      await expect(store.deletePrefix('no-slash')).rejects.toThrow(/must end with/);
    });

    it('never shows a partly written object: a failed put leaves nothing under the key', async () => {
      await expect(
        store.put(key('partial.bin'), { path: path.join(scratch, 'does-not-exist'), size: 10 }, 'application/octet-stream'),
      ).rejects.toThrow();
      expect(await store.head(key('partial.bin'))).toBeUndefined();
    });
  });
}
