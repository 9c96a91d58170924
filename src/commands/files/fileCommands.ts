import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { AccessPrincipal } from '../../auth/accessTokens.js';
import { ChatError, NotFoundError, UnavailableError } from '../../domain/errors.js';
import { isUnsent, readsThroughRooms } from '../../domain/fileAccess.js';
import { fileStreamId } from '../../domain/ids.js';
import { contentKey, thumbnailKey } from '../../files/fileKeys.js';
import type { FileStore } from '../../files/fileStore.js';
import { cleanFileName, isAllowedType, isImageType } from '../../files/fileTypes.js';
import { processImage } from '../../files/imageProcessing.js';
import { sniffContentType } from '../../files/sniffContentType.js';
import type { StagedUpload, UploadStaging } from '../../files/uploadStaging.js';
import type { FileView, HistoryStore } from '../../projections/history/historyStore.js';
import { untilApplied, type WaitForHistory } from '../../projections/readYourWrites.js';
import type { RateLimiter } from '../../ratelimit/rateLimiter.js';
import type { Clock, IdGenerator } from '../../support/clock.js';
import type { CommandExecutor } from '../commandExecutor.js';
import type { AttachmentFacts, FileCommand, RecordFileUpload } from '../commands.js';
import { DEFAULT_LIMITS, type DecisionContext } from '../decider.js';
import { FILE_SWEEPER } from './fileDecider.js';

// The write side of files (issue #16): an upload is staged (measured, hashed), sniffed, checked, re-encoded if it is
// an image, stored in the file store under its content address, and only then recorded as FileUploaded on its own
// stream; the answer waits until the history view shows it. Also the facts a send needs about the files it
// attaches, and the sweeper of unsent uploads. (An erasure deletes the user's folder of the store itself:
// user/userAdministration.ts.)

export interface FileLimits {
  /** MAX_FILE_BYTES: the largest upload. */
  maxFileBytes: number;
  /** ALLOWED_FILE_TYPES, as sniffed. */
  allowedTypes: readonly string[];
  /** MAX_IMAGE_PIXELS: width × height an image may declare. */
  maxImagePixels: number;
  /** FILE_UNSENT_TTL_SECONDS in ms: an upload nobody sent in this time can no longer be attached and is removed. */
  unsentTtlMs: number;
}

export interface FileCommandsDeps {
  files: CommandExecutor<FileCommand>;
  history: Pick<HistoryStore, 'getFile' | 'getFileAudience' | 'listUnsentFiles' | 'listFilesWithContent'>;
  store: FileStore;
  staging: UploadStaging;
  limits: FileLimits;
  /** UPLOADS_PER_USER_PER_DAY and UPLOAD_BYTES_PER_USER_PER_DAY (429 RATE_LIMIT_EXCEEDED). */
  uploadCount: RateLimiter;
  uploadBytes: RateLimiter;
  ids: IdGenerator;
  clock: Clock;
  waitForHistory: WaitForHistory;
}

/** One `file` part of a multipart request: its bytes as they arrive, and the name the browser gave (a hint). */
export interface UploadPart {
  stream: Readable;
  filename: string | undefined;
  /** Settles once the rest of the request is read: rejects when it holds more than the one part (400). */
  rest?: Promise<void>;
}

/** The sweeper waits this much past FILE_UNSENT_TTL_SECONDS, so a send that checked a file just in time still lands. */
export const SWEEP_GRACE_MS = 10 * 60 * 1000;

/** What an upload stores: the bytes (a buffer for a re-encoded image, else the staged file) and their facts. */
interface Prepared {
  body: Buffer | { path: string; size: number };
  contentType: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  thumbnail: Buffer | undefined;
  thumbnailType: string | undefined;
}

export class FileCommands {
  constructor(private readonly deps: FileCommandsDeps) {}

  get limits(): FileLimits {
    return this.deps.limits;
  }

  /**
   * Takes one upload to the end: 413 PAYLOAD_TOO_LARGE past MAX_FILE_BYTES (or MAX_IMAGE_PIXELS), 415
   * UNSUPPORTED_MEDIA_TYPE for a type not allowed (or, with `imagesOnly`, not an image), 429 past the daily
   * budgets. Whatever fails, the staged bytes go; what reached the store before a failure to record is removed
   * unless another of the uploader's files holds the same bytes.
   */
  async upload(actor: AccessPrincipal, part: UploadPart, correlationId: string, options: { imagesOnly?: boolean } = {}): Promise<FileView> {
    await this.deps.uploadCount.consume(actor.userId);
    const staged = await this.deps.staging.stage(part.stream, this.deps.limits.maxFileBytes);
    try {
      await part.rest;
      await this.deps.uploadBytes.consume(actor.userId, Math.max(1, staged.size));
      const prepared = await this.prepare(staged, options.imagesOnly === true);
      const fileId = this.deps.ids.next();
      const command: RecordFileUpload = {
        type: 'RecordFileUpload',
        fileId,
        name: cleanFileName(part.filename, prepared.contentType),
        contentType: prepared.contentType,
        size: prepared.size,
        sha256: prepared.sha256,
        width: prepared.width,
        height: prepared.height,
        thumbnail: prepared.thumbnail !== undefined,
      };
      await this.store(actor.userId, prepared);
      try {
        const result = await this.deps.files.execute(fileStreamId(fileId), command, this.context(actor), {
          commandId: this.deps.ids.next(),
          correlationId,
        });
        await untilApplied(this.deps.waitForHistory, result.events);
      } catch (error) {
        await this.forgetBytes(actor.userId, prepared.sha256, fileId);
        throw error;
      }
      const file = await this.deps.history.getFile(fileId);
      if (!file) throw new UnavailableError('the upload is not readable yet');
      return file;
    } finally {
      await this.deps.staging.discard(staged);
    }
  }

  /**
   * What a send needs to know about each file it attaches (the room decider applies the rule): NO_FILE for a file
   * the view does not have, whose bytes are gone (erased, discarded), or that was never sent and is past
   * FILE_UNSENT_TTL_SECONDS (the sweeper may be removing it). Whether the sender may read it otherwise is a fact
   * handed to the decider, which refuses it with the same NO_FILE, so nothing tells a guessed id from a real one.
   */
  async attachmentFacts(actor: AccessPrincipal, fileIds: readonly string[]): Promise<AttachmentFacts[]> {
    const facts: AttachmentFacts[] = [];
    for (const fileId of fileIds) {
      const file = await this.deps.history.getFile(fileId);
      if (!file || file.erased || file.discarded) throw noFile(fileId);
      const reach = await this.deps.history.getFileAudience(fileId, actor.userId);
      const expired = Date.parse(file.uploadedAt) < this.deps.clock.now() - this.deps.limits.unsentTtlMs;
      if (isUnsent(reach) && expired) throw noFile(fileId);
      facts.push({
        fileId,
        name: file.name,
        contentType: file.contentType,
        size: file.size,
        sha256: file.sha256,
        width: file.width,
        height: file.height,
        thumbnail: file.thumbnail,
        uploadedBy: file.uploadedBy,
        readableByActor: readsThroughRooms(reach),
      });
    }
    return facts;
  }

  /**
   * Removes uploads nobody sent (in a message or as an avatar) within FILE_UNSENT_TTL_SECONDS and a grace period:
   * FileDiscarded first, so nobody can attach them any more, then their bytes, unless another live file of the same
   * uploader holds the same bytes. Several processes may sweep at once: the file stream's single writer records
   * each removal once. Returns how many this call removed.
   */
  async sweepUnsent(limit = 100): Promise<number> {
    const uploadedBefore = this.deps.clock.now() - this.deps.limits.unsentTtlMs - SWEEP_GRACE_MS;
    const unsent = await this.deps.history.listUnsentFiles({ uploadedBefore, limit });
    let removed = 0;
    for (const file of unsent) {
      const result = await this.deps.files.execute(
        fileStreamId(file.fileId),
        { type: 'DiscardFile', fileId: file.fileId },
        { actor: FILE_SWEEPER, limits: DEFAULT_LIMITS },
        { commandId: `discard:${file.fileId}`, correlationId: `sweep:${file.fileId}` },
      );
      if (result.events.length === 0 || result.replayed) continue;
      await untilApplied(this.deps.waitForHistory, result.events);
      await this.forgetBytes(file.uploadedBy, file.sha256, file.fileId);
      removed++;
    }
    return removed;
  }

  private async prepare(staged: StagedUpload, imagesOnly: boolean): Promise<Prepared> {
    const sniffed = await sniffContentType(staged);
    const { allowedTypes, maxImagePixels } = this.deps.limits;
    if (!isAllowedType(sniffed, allowedTypes) || (imagesOnly && !isImageType(sniffed))) {
      throw new ChatError(
        'UNSUPPORTED_MEDIA_TYPE',
        imagesOnly ? 'an avatar must be an image (PNG, JPEG, GIF or WebP)' : `files of type ${sniffed ?? 'unknown'} are not accepted`,
        { contentType: sniffed ?? null, allowed: imagesOnly ? allowedTypes.filter(isImageType) : [...allowedTypes] },
      );
    }
    if (!isImageType(sniffed)) {
      return {
        body: { path: staged.path, size: staged.size },
        contentType: sniffed,
        size: staged.size,
        sha256: staged.sha256,
        width: null,
        height: null,
        thumbnail: undefined,
        thumbnailType: undefined,
      };
    }
    // At most MAX_FILE_BYTES: images are decoded whole anyway, and their encoded bytes are the smallest part of it.
    const image = await processImage(await readFile(staged.path), sniffed, maxImagePixels);
    return {
      body: image.bytes,
      contentType: sniffed,
      size: image.bytes.length,
      sha256: createHash('sha256').update(image.bytes).digest('hex'),
      width: image.width,
      height: image.height,
      thumbnail: image.thumbnail,
      thumbnailType: image.thumbnailType,
    };
  }

  private async store(uploadedBy: string, prepared: Prepared): Promise<void> {
    await this.deps.store.put(contentKey(uploadedBy, prepared.sha256), prepared.body, prepared.contentType);
    if (prepared.thumbnail !== undefined && prepared.thumbnailType !== undefined) {
      await this.deps.store.put(thumbnailKey(uploadedBy, prepared.sha256), prepared.thumbnail, prepared.thumbnailType);
    }
  }

  /** Deletes the bytes of `fileId` unless another live file of the uploader has the same content (same object). */
  private async forgetBytes(uploadedBy: string, sha256: string, fileId: string): Promise<void> {
    const others = await this.deps.history.listFilesWithContent(uploadedBy, sha256);
    if (others.some((other) => other.fileId !== fileId && !other.discarded && !other.erased)) return;
    await this.deps.store.delete(contentKey(uploadedBy, sha256));
    await this.deps.store.delete(thumbnailKey(uploadedBy, sha256));
  }

  private context(actor: AccessPrincipal): DecisionContext {
    return { actor: { userId: actor.userId, role: actor.role }, limits: DEFAULT_LIMITS };
  }
}

function noFile(fileId: string): NotFoundError {
  return new NotFoundError('NO_FILE', `no file ${fileId}`, { fileId });
}
