import { createHash } from 'node:crypto';

// Where a file's bytes are kept in the file store: content-addressed within its uploader's folder,
// `<uploader>/<sha256>` and its thumbnail `<uploader>/<sha256>.thumb`. The same bytes uploaded twice by one user are
// one object; a user's uploads are one folder, so erasing the user deletes that folder and nobody else's bytes
// (two users' equal files are two objects: an erasure of one never takes the other's).

/** A user id as a key segment: as it is when it is plain (UUIDs), else its hash (ids are ours, but keys are paths). */
function segmentOf(userId: string): string {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(userId)
    ? userId
    : `u-${createHash('sha256').update(userId).digest('hex').slice(0, 40)}`;
}

/** The folder of one uploader's files (ends with "/"). */
export function uploaderPrefix(uploadedBy: string): string {
  return `${segmentOf(uploadedBy)}/`;
}

export function contentKey(uploadedBy: string, sha256: string): string {
  return `${uploaderPrefix(uploadedBy)}${sha256}`;
}

export function thumbnailKey(uploadedBy: string, sha256: string): string {
  return `${contentKey(uploadedBy, sha256)}.thumb`;
}
