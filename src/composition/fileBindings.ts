import path from 'node:path';
import type { Container, ResolutionContext } from 'inversify';
import { FileCommands } from '../commands/files/fileCommands.js';
import type { AppConfig } from '../config/config.js';
import { DiskFileStore } from '../files/disk/diskFileStore.js';
import type { FileStore } from '../files/fileStore.js';
import { S3FileStore } from '../files/s3/s3FileStore.js';
import { UploadStaging } from '../files/uploadStaging.js';
import type { Endpoint } from '../http/route.js';
import { fileRoutes } from '../http/routes/fileRoutes.js';
import { FileQueries } from '../queries/fileQueries.js';
import { RateLimiter } from '../ratelimit/rateLimiter.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import { accountCommandsOf } from './accountBindings.js';
import { historyWait } from './historyWait.js';
import { limiterFactory } from './rateLimiters.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// Files and images (issue #16): the file store FILE_STORE selects (checked when first resolved, so a bucket that
// cannot be reached fails the start of the api role), the upload use cases over the file streams' single writer, the
// read side, and their routes.

const token = <T>(name: string): Token<T> => ({ id: Symbol.for(`chat.${name}`) });

export const FILE_TOKENS = {
  fileStore: token<FileStore>('fileStore'),
  fileCommands: token<FileCommands>('fileCommands'),
  fileQueries: token<FileQueries>('fileQueries'),
};

const DAY_SECONDS = 24 * 60 * 60;

export function bindFiles(container: Container, config: AppConfig): void {
  const { files } = config;
  container
    .bind<FileStore>(FILE_TOKENS.fileStore.id)
    .toDynamicValue(async () => {
      const store =
        files.store.kind === 's3'
          ? new S3FileStore({
              endpoint: files.store.endpoint,
              region: files.store.region,
              bucket: files.store.bucket,
              accessKeyId: files.store.accessKeyId,
              secretAccessKey: files.store.secretAccessKey,
              forcePathStyle: files.store.forcePathStyle,
              keyPrefix: files.store.keyPrefix,
              createBucket: files.store.createBucket,
            })
          : new DiskFileStore(files.store.dir);
      await store.check();
      return store;
    })
    .onDeactivation((store) => store.close());
  container.bind<FileCommands>(FILE_TOKENS.fileCommands.id).toDynamicValue(async (context) => {
    const makeLimiter = await limiterFactory(context);
    const staging = new UploadStaging(path.join(config.dataDir, 'uploads'));
    await staging.prepare();
    return new FileCommands({
      files: (await resolve(context, TOKENS.executors)).files,
      history: await resolve(context, TOKENS.historyStore),
      store: await fileStoreOf(context),
      staging,
      limits: {
        maxFileBytes: files.maxFileBytes,
        allowedTypes: files.allowedTypes,
        maxImagePixels: files.maxImagePixels,
        unsentTtlMs: files.unsentTtlSeconds * 1000,
      },
      uploadCount: new RateLimiter('uploads', [{ points: files.uploadsPerDay, durationSeconds: DAY_SECONDS }], 'RATE_LIMIT_EXCEEDED', makeLimiter),
      uploadBytes: new RateLimiter(
        'upload-bytes',
        [{ points: files.uploadBytesPerDay, durationSeconds: DAY_SECONDS }],
        'RATE_LIMIT_EXCEEDED',
        makeLimiter,
      ),
      ids: uuidGenerator,
      clock: systemClock,
      waitForHistory: await historyWait(context),
    });
  });
  container.bind<FileQueries>(FILE_TOKENS.fileQueries.id).toDynamicValue(
    async (context) =>
      new FileQueries({ history: await resolve(context, TOKENS.historyStore), store: await fileStoreOf(context) }),
  );
}

export function fileStoreOf(context: ResolutionContext): Promise<FileStore> {
  return context.getAsync<FileStore>(FILE_TOKENS.fileStore.id);
}

export function fileCommandsOf(context: ResolutionContext): Promise<FileCommands> {
  return context.getAsync<FileCommands>(FILE_TOKENS.fileCommands.id);
}

/** The files REST routes (and the avatar upload), for the api's endpoint list. */
export async function fileEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  return fileRoutes(
    await fileCommandsOf(context),
    await context.getAsync<FileQueries>(FILE_TOKENS.fileQueries.id),
    await accountCommandsOf(context),
  );
}
