import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChatError } from '../domain/errors.js';
import { isTextControl } from './fileTypes.js';

// An upload on its way in (issue #16): streamed to a temporary file while it is measured, hashed and checked for
// being text, so memory holds one chunk at a time whatever the file's size. Nothing reaches the file store until
// the whole file is here and accepted; a client that goes away mid-upload, or a file over the limit, leaves
// nothing behind (the temporary file is removed on every failure).

/** Bytes kept from the start of a file for sniffing its type (what file-type reads at most). */
export const SNIFF_BYTES = 4100;

export interface StagedUpload {
  /** The temporary file; the caller removes it with `discard` when done. */
  path: string;
  size: number;
  /** SHA-256 (hex) of the bytes. */
  sha256: string;
  /** The first SNIFF_BYTES bytes (fewer for a smaller file). */
  head: Buffer;
  /** Valid UTF-8 with no control character that text never holds. */
  text: boolean;
}

export class UploadStaging {
  constructor(
    /** A folder only this store uses (DATA_DIR/uploads): emptied at start-up. */
    private readonly dir: string,
  ) {}

  /** Creates the folder and removes what a crash left there. */
  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) await rm(path.join(this.dir, name), { force: true });
  }

  /**
   * Reads `source` to its end into a temporary file. Refuses with PAYLOAD_TOO_LARGE as soon as it passes
   * `maxBytes` (the rest is not read), and fails like `source` if it fails (a client that disconnected).
   */
  async stage(source: Readable, maxBytes: number): Promise<StagedUpload> {
    const file = path.join(this.dir, randomUUID());
    const meter = new UploadMeter(maxBytes);
    try {
      await pipeline(source, meter, createWriteStream(file, { flags: 'wx' }));
      return { path: file, ...meter.result() };
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
  }

  async discard(staged: Pick<StagedUpload, 'path'>): Promise<void> {
    await rm(staged.path, { force: true });
  }
}

/** Passes bytes through while counting, hashing, keeping the head and checking for text. */
class UploadMeter extends Transform {
  private size = 0;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private text = true;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!Buffer.isBuffer(chunk)) {
      callback(new Error('an upload is bytes'));
      return;
    }
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new ChatError('PAYLOAD_TOO_LARGE', `a file may have at most ${this.maxBytes} bytes`, { maxBytes: this.maxBytes }));
      return;
    }
    this.hash.update(chunk);
    if (this.headLength < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(part);
      this.headLength += part.length;
    }
    if (this.text) this.text = this.stillText(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.text) {
      try {
        this.utf8.decode();
      } catch {
        this.text = false;
      }
    }
    callback();
  }

  result(): Omit<StagedUpload, 'path'> {
    return { size: this.size, sha256: this.hash.digest('hex'), head: Buffer.concat(this.headChunks), text: this.text && this.size > 0 };
  }

  private stillText(chunk: Buffer): boolean {
    for (const byte of chunk) if (isTextControl(byte)) return false;
    try {
      this.utf8.decode(chunk, { stream: true });
      return true;
    } catch {
      return false;
    }
  }
}
