import type { AccessPrincipal } from '../auth/accessTokens.js';
import { ChatError, NotFoundError } from '../domain/errors.js';
import { mayReadFile } from '../domain/fileAccess.js';
import { contentKey, thumbnailKey } from '../files/fileKeys.js';
import type { ByteRange, FileStore, StoredBytes } from '../files/fileStore.js';
import type { FileView, HistoryStore } from '../projections/history/historyStore.js';

// The read side of files (issue #16): who may read a file (domain/fileAccess.ts, from the history view) and its
// bytes from the file store. A file the caller may not read answers exactly like one that does not exist, 404
// NO_FILE, so an id, guessed or leaked, tells nothing; 403 FORBIDDEN is never the answer for a file.

export interface FileQueriesDeps {
  history: Pick<HistoryStore, 'getFile' | 'getFileAudience'>;
  store: Pick<FileStore, 'get'>;
}

export class FileQueries {
  constructor(private readonly deps: FileQueriesDeps) {}

  /**
   * The file, when the caller may read it. NO_FILE when there is none, it was removed unsent, or the caller may not
   * read it; 410 PERSONAL_DATA_ERASED, to those who may, when its uploader was erased (the bytes are gone).
   */
  async readable(principal: AccessPrincipal, fileId: string): Promise<FileView> {
    const file = await this.deps.history.getFile(fileId);
    if (!file || file.discarded) throw noFile(fileId);
    const audience = await this.deps.history.getFileAudience(fileId, principal.userId);
    if (!mayReadFile({ uploadedBy: file.uploadedBy, ...audience }, principal.userId)) throw noFile(fileId);
    if (file.erased) {
      throw new ChatError('PERSONAL_DATA_ERASED', "the uploader's personal data was erased, and the file with it", { fileId });
    }
    return file;
  }

  /** The file's bytes (or a range of them). UNAVAILABLE-like failures of the store pass through. */
  async bytes(file: FileView, range?: ByteRange): Promise<StoredBytes> {
    const stored = await this.deps.store.get(contentKey(file.uploadedBy, file.sha256), range);
    // The view has the file but the store not: deleted by an erasure or a sweep the view has not applied yet.
    if (!stored) throw noFile(file.fileId);
    return stored;
  }

  /** The thumbnail's bytes; NO_THUMBNAIL for a file that has none (anything but an image). */
  async thumbnail(file: FileView): Promise<StoredBytes> {
    if (!file.thumbnail) throw new NotFoundError('NO_THUMBNAIL', `file ${file.fileId} has no thumbnail`, { fileId: file.fileId });
    const stored = await this.deps.store.get(thumbnailKey(file.uploadedBy, file.sha256));
    if (!stored) throw noFile(file.fileId);
    return stored;
  }
}

function noFile(fileId: string): NotFoundError {
  return new NotFoundError('NO_FILE', `no file ${fileId}`, { fileId });
}
