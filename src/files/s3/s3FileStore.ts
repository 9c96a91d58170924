import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { checkKey, type ByteRange, type FileStore, type StoreBody, type StoredBytes } from '../fileStore.js';

// The distributed file store: an S3-compatible object store (AWS S3, MinIO, Ceph, s3proxy ...) through the official
// AWS SDK. Every api process reaches the same bucket, so an upload taken by one is downloaded from any other. A PUT of
// a known length is atomic in S3 (the object appears whole or not at all); bodies are streamed both ways.

export interface S3FileStoreOptions {
  /** The S3 API's base URL; unset for AWS itself. */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `http://host/bucket/key` rather than `http://bucket.host/key`: what most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Put before every key, so deployments can share a bucket. "" or a folder ending in "/". */
  keyPrefix: string;
  /** Create the bucket when it does not exist (development and tests; production buckets exist already). */
  createBucket: boolean;
}

/** Keys listed per page while deleting a folder. */
const DELETE_BATCH = 1000;
/** Deletes in flight at once. */
const PARALLEL_DELETES = 16;

export class S3FileStore implements FileStore {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly options: S3FileStoreOptions) {
    if (options.keyPrefix !== '') checkKey(options.keyPrefix, { prefix: true });
    this.client = new S3Client({
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Checksums only where the API requires them: newer SDKs add CRC32 trailers to every upload by default, which
      // many S3-compatible servers do not understand. Integrity is the content hash the log records.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (error) {
      if (!this.options.createBucket || !isMissing(error)) throw error;
      await this.client.send(new CreateBucketCommand({ Bucket: this.options.bucket })).catch((created: unknown) => {
        // Another process created it first.
        if (!(created instanceof S3ServiceException && created.name === 'BucketAlreadyOwnedByYou')) throw created;
      });
    }
  }

  async put(key: string, body: StoreBody, contentType: string): Promise<void> {
    const Bucket = this.options.bucket;
    const Key = this.keyOf(key);
    if (Buffer.isBuffer(body)) {
      await this.client.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentLength: body.length, ContentType: contentType }));
      return;
    }
    // Opened first, so a file that is not there fails the put here rather than as a stream error nobody awaits.
    const handle = await open(body.path, 'r');
    try {
      const Body = handle.createReadStream({ autoClose: false });
      await this.client.send(new PutObjectCommand({ Bucket, Key, Body, ContentLength: body.size, ContentType: contentType }));
    } finally {
      await handle.close();
    }
  }

  async get(key: string, range?: ByteRange): Promise<StoredBytes | undefined> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.keyOf(key),
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
      const stream = result.Body;
      if (!(stream instanceof Readable)) throw new Error('the S3 client returned no stream');
      const length = result.ContentLength ?? 0;
      const size = range === undefined ? length : sizeOfContentRange(result.ContentRange) ?? length;
      return { stream, length, size };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const result = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }));
      return { size: result.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    checkKey(prefix, { prefix: true });
    const Prefix = `${this.options.keyPrefix}${prefix}`;
    let deleted = 0;
    // Listing again from the start after each batch: the deleted keys are gone from the next listing.
    for (;;) {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix, MaxKeys: DELETE_BATCH }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [{ Key: object.Key }]));
      if (keys.length === 0) return deleted;
      // One DeleteObject per key rather than DeleteObjects: that call needs a request checksum, and several
      // S3-compatible servers (s3proxy among them) refuse the CRC32 the SDK sends. A folder is one user's uploads.
      for (let i = 0; i < keys.length; i += PARALLEL_DELETES) {
        await Promise.all(
          keys.slice(i, i + PARALLEL_DELETES).map(({ Key }) => this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key }))),
        );
      }
      deleted += keys.length;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private keyOf(key: string): string {
    checkKey(key);
    return `${this.options.keyPrefix}${key}`;
  }
}

function isMissing(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.name === 'NoSuchBucket' || error.$metadata.httpStatusCode === 404;
}

/** The whole object's size from `Content-Range: bytes 0-9/1234`. */
function sizeOfContentRange(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /\/(\d+)$/.exec(header);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
