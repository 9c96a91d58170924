import { ChatError } from '../domain/errors.js';
import { fileUrlOf, thumbnailUrlOf } from '../domain/ids.js';
import { contentDisposition, dispositionOf } from '../files/fileTypes.js';
import type { ByteRange } from '../files/fileStore.js';
import type { AttachmentView, FileView } from '../projections/history/historyStore.js';

// How file downloads are answered (issue #16), and files presented in JSON. Pure: the route reads the store.

/** Every download: the type from the bytes, never sniffed again by the browser, and no script may run in it. */
export function downloadHeaders(
  file: Pick<FileView, 'name' | 'contentType' | 'sha256'>,
  allowedTypes: readonly string[],
  served: { contentType: string; length: number; etag: string },
): Record<string, string> {
  const type = served.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : served.contentType;
  return {
    'Content-Type': type,
    'Content-Length': String(served.length),
    ETag: served.etag,
    'Content-Disposition': contentDisposition(dispositionOf(file.contentType, allowedTypes), file.name),
    'X-Content-Type-Options': 'nosniff',
    // A file opened on its own (an SVG or HTML a future type list might allow, a PDF viewer) runs nothing here.
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    // Private, and asked again each time (If-None-Match: a 304 without the bytes when nothing changed): a file id's
    // bytes never change, but who may read them does (a member leaves, a message is deleted, an uploader erased),
    // and a cached copy must not outlive that.
    'Cache-Control': 'private, no-cache',
    'Accept-Ranges': 'bytes',
  };
}

/** The strong ETag of a file: its SHA-256 (a thumbnail's has its own suffix). */
export function etagOf(sha256: string, thumbnail = false): string {
  return thumbnail ? `"${sha256}.thumb"` : `"${sha256}"`;
}

/** True when If-None-Match names this ETag (or is `*`): answer 304 without the bytes. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

/**
 * One byte range of `Range: bytes=...` (RFC 9110 §14): `a-b`, `a-` or the suffix `-n`, clipped to the file. Several
 * ranges, other units or a malformed header are ignored (the whole file is sent, as the RFC allows); a range that
 * starts past the end is 416 RANGE_NOT_SATISFIABLE.
 */
export function byteRangeOf(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw unsatisfiable(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) throw unsatisfiable(size);
  if (end < start) return undefined;
  return { start, end };
}

function unsatisfiable(size: number): ChatError {
  return new ChatError('RANGE_NOT_SATISFIABLE', `the file has ${size} bytes`, { size });
}

/** A file as clients see it (API.md `file`): `url` and `thumbnailUrl` point at this service. */
export function fileDto(file: FileView | AttachmentView) {
  return {
    fileId: file.fileId,
    name: file.name,
    contentType: file.contentType,
    size: file.size,
    sha256: file.sha256,
    ...(file.width === null ? {} : { width: file.width }),
    ...(file.height === null ? {} : { height: file.height }),
    url: fileUrlOf(file.fileId),
    ...(file.thumbnail ? { thumbnailUrl: thumbnailUrlOf(file.fileId) } : {}),
    // Only when true: the uploader's personal data was erased and the bytes with it.
    ...(file.erased ? { erased: true } : {}),
  };
}
