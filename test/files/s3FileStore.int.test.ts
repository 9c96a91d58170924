import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3FileStore } from '../../src/files/s3/s3FileStore.js';
import { describeWithServices } from '../support/realServices.js';
import { fileStoreContract } from './fileStoreContract.js';

// Against a real S3-compatible server (scripts/services starts s3proxy on loopback): required in CI like the other
// real-service suites. Each run has a bucket of its own, created by the store (S3_CREATE_BUCKET).

describeWithServices('S3 file store', ['S3_ENDPOINT'], (env) => {
  const options = (bucket: string, keyPrefix = '') => ({
    endpoint: env('S3_ENDPOINT'),
    region: process.env.S3_REGION ?? 'us-east-1',
    bucket,
    accessKeyId: process.env.S3_ACCESS_KEY_ID ?? 'chat-local',
    secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? 'chat-local-secret',
    forcePathStyle: true,
    keyPrefix,
    createBucket: true,
  });
  const bucket = `contract-${randomBytes(5).toString('hex')}`;

  fileStoreContract('s3', async () => new S3FileStore(options(bucket)));
  fileStoreContract('s3 with a key prefix', async () => new S3FileStore(options(bucket, 'deployment-a/')));

  describe('the S3 file store', () => {
    it('keeps deployments apart by key prefix in one bucket', async () => {
      const a = new S3FileStore(options(bucket, 'a/'));
      const b = new S3FileStore(options(bucket, 'b/'));
      await a.check();
      await a.put('u/x', Buffer.from('from a'), 'text/plain');
      expect(await b.head('u/x')).toBeUndefined();
      expect(await a.deletePrefix('u/')).toBe(1);
      await a.close();
      await b.close();
    });

    it('refuses the wrong key with an error, never a silent empty answer', async () => {
      const wrong = new S3FileStore({ ...options(bucket), secretAccessKey: 'not-the-secret' });
      await expect(wrong.head('u/x')).rejects.toThrow();
      await wrong.close();
    });
  });
});
