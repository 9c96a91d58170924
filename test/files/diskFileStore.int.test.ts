import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskFileStore } from '../../src/files/disk/diskFileStore.js';
import { fileStoreContract } from './fileStoreContract.js';

const root = mkdtempSync(path.join(tmpdir(), 'disk-file-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

fileStoreContract('disk', async () => new DiskFileStore(path.join(root, 'files')));

describe('the disk file store', () => {
  it('keeps objects as files named by their keys, and no temporary file once a put is done', async () => {
    const store = new DiskFileStore(path.join(root, 'layout'));
    await store.check();
    await store.put('u1/abc', Buffer.from('x'), 'text/plain');
    expect(readdirSync(path.join(root, 'layout', 'u1'))).toEqual(['abc']);
    expect(readdirSync(path.join(root, 'layout', '.tmp'))).toEqual([]);
  });
});
