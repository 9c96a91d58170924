import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, constants, mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { checkKey, type ByteRange, type FileStore, type StoreBody, type StoredBytes } from '../fileStore.js';

// The embedded file store: one file per object under a folder of DATA_DIR (`DATA_DIR/files`), named by its key.
// Writes go to a temporary file in the same folder tree, are flushed to disk, then renamed into place, so a reader
// (or a crash) never sees half an object. Bytes are streamed both ways; nothing is held whole in memory.

/** Temporary files of writes in progress; keys never start with ".", so no key can name it. */
const TMP = '.tmp';

export class DiskFileStore implements FileStore {
  readonly kind = 'disk';

  constructor(private readonly root: string) {}

  async check(): Promise<void> {
    await mkdir(path.join(this.root, TMP), { recursive: true });
    await access(this.root, constants.R_OK | constants.W_OK);
    // Writes left by a crash in the middle of one are never renamed into place: they go at start-up.
    for (const name of await readdir(path.join(this.root, TMP))) {
      await rm(path.join(this.root, TMP, name), { force: true });
    }
  }

  async put(key: string, body: StoreBody, _contentType: string): Promise<void> {
    const target = this.pathOf(key);
    const tmp = path.join(this.root, TMP, randomUUID());
    await mkdir(path.dirname(tmp), { recursive: true });
    try {
      if (Buffer.isBuffer(body)) await writeFile(tmp, body, { flag: 'wx' });
      else await pipeline(createReadStream(body.path), createWriteStream(tmp, { flags: 'wx' }));
      const handle = await open(tmp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<StoredBytes | undefined> {
    const file = this.pathOf(key);
    const size = await sizeOf(file);
    if (size === undefined) return undefined;
    if (range === undefined) return { stream: createReadStream(file), length: size, size };
    return { stream: createReadStream(file, { start: range.start, end: range.end }), length: range.end - range.start + 1, size };
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const size = await sizeOf(this.pathOf(key));
    return size === undefined ? undefined : { size };
  }

  async delete(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }

  async deletePrefix(prefix: string): Promise<number> {
    checkKey(prefix, { prefix: true });
    const folder = path.join(this.root, ...prefix.split('/').filter((segment) => segment !== ''));
    const count = await countFiles(folder);
    await rm(folder, { recursive: true, force: true });
    return count;
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  private pathOf(key: string): string {
    checkKey(key);
    return path.join(this.root, ...key.split('/'));
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function countFiles(folder: string): Promise<number> {
  try {
    const entries = await readdir(folder, { withFileTypes: true, recursive: true });
    return entries.filter((entry) => entry.isFile()).length;
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}
