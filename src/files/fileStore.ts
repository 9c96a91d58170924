import type { Readable } from 'node:stream';

// Where the bytes of uploaded files live (issue #16): a port with two adapters, the local disk under DATA_DIR
// (embedded, disk/diskFileStore.ts) and an S3-compatible object store (s3/s3FileStore.ts). Both pass
// test/files/fileStoreContract.ts. The log and the history view hold only what a file is; its bytes are here, under
// keys made by fileKeys.ts.

/** Inclusive byte positions, as HTTP Range counts them. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Bytes to store: a buffer, or a local file that the store reads (and never moves or deletes). */
export type StoreBody = Buffer | { path: string; size: number };

export interface StoredBytes {
  /** The object's (or the range's) bytes; the caller reads it to the end or destroys it. */
  stream: Readable;
  /** Bytes in `stream`. */
  length: number;
  /** Size of the whole object. */
  size: number;
}

export interface FileStore {
  /** A name for logs and /api/health (`disk`, `s3`). */
  readonly kind: string;
  /** Fails when the store cannot be used (the folder is not writable, the bucket is not reachable). */
  check(): Promise<void>;
  /**
   * Stores `body` under `key`, atomically: a reader sees the whole object or none, never a part. An existing object
   * under the key is replaced (content-addressed keys make that a no-op in effect).
   */
  put(key: string, body: StoreBody, contentType: string): Promise<void>;
  /** The object's bytes, or the range of them; undefined when there is no object under the key. */
  get(key: string, range?: ByteRange): Promise<StoredBytes | undefined>;
  /** The object's size, or undefined when there is none. */
  head(key: string): Promise<{ size: number } | undefined>;
  /** Removes the object; nothing happens when there is none. */
  delete(key: string): Promise<void>;
  /** Removes every object whose key starts with `prefix` (a folder: it ends with "/"); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  close(): Promise<void>;
}

/** Keys are `/`-separated segments of letters, digits, `.`, `_` and `-`, never `.` or `..`: safe as paths too. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Throws unless `key` is a valid key (or, with `prefix`, a folder ending in "/"). */
export function checkKey(key: string, options: { prefix?: boolean } = {}): void {
  const segments = key.split('/');
  if (options.prefix === true) {
    if (segments.pop() !== '') throw new Error(`file store prefix must end with "/": ${JSON.stringify(key)}`);
  }
  if (segments.length === 0 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new Error(`invalid file store key ${JSON.stringify(key)}`);
  }
}
