import type { Request } from 'express';
import { z } from 'zod';
import type { FileCommands } from '../../commands/files/fileCommands.js';
import type { AccountCommands } from '../../commands/user/accountCommands.js';
import { thumbnailTypeOf, isImageType } from '../../files/fileTypes.js';
import type { FileQueries } from '../../queries/fileQueries.js';
import { byteRangeOf, downloadHeaders, etagOf, fileDto, notModified } from '../fileResponses.js';
import { fileUploadOf } from '../multipartUpload.js';
import { userDto } from '../presenters.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, type BinaryResponse, type Endpoint } from '../route.js';
import { codePointString, fileSchema, userSchema } from '../schemas.js';

// Files and images (issue #16, API.md "Files and images"): upload, download, thumbnail, and an uploaded avatar.
// Uploads are multipart/form-data with one part `file`, streamed to a staging file (never held in memory); the type
// is sniffed from the bytes. Downloads stream from the file store with the sniffed type, the SHA-256 as ETag, and
// `Content-Disposition: attachment` for anything but an allowed image.

const fileIdParams = z.strictObject({ fileId: codePointString(200, 1) });
const fileResponse = z.object({ file: fileSchema });

const NO_FILE = {
  404: { description: 'NO_FILE: no such file, removed unsent, or one the caller may not read (the answers are the same)' },
  410: { description: "PERSONAL_DATA_ERASED: the uploader's personal data was erased, the bytes with it" },
};

type Responses = Record<number, { description: string }>;

/**
 * A refused upload is answered before its body was read to the end (a 413 mid-file, say): the connection then
 * closes after the answer instead of reading the rest of a body nobody wants.
 */
async function closingOnFailure<T>(req: Request, upload: () => Promise<T>): Promise<T> {
  try {
    return await upload();
  } catch (error) {
    if (!req.complete) req.res?.setHeader('Connection', 'close');
    throw error;
  }
}

function downloadResponses(thumbnail: boolean): Responses {
  const responses: Responses = { 304: { description: 'If-None-Match named the ETag: unchanged' }, ...NO_FILE };
  if (thumbnail) {
    responses[404] = { description: 'NO_FILE: as for the file; NO_THUMBNAIL: the file is not an image' };
  } else {
    responses[206] = { description: 'the requested range of the bytes' };
    responses[416] = { description: 'RANGE_NOT_SATISFIABLE: the range starts past the end of the file' };
  }
  return responses;
}

function binaryResponses(thumbnail: boolean, allowedTypes: readonly string[]): Record<number, BinaryResponse> {
  if (thumbnail) return { 200: { description: 'the thumbnail', contentTypes: ['image/jpeg', 'image/png'] } };
  const contentTypes = ['application/octet-stream', ...allowedTypes];
  return {
    200: { description: 'the bytes', contentTypes },
    206: { description: 'the requested range', contentTypes },
  };
}

export function fileRoutes(files: FileCommands, queries: FileQueries, accounts: AccountCommands): Endpoint[] {
  const { maxFileBytes, allowedTypes } = files.limits;
  const tags = ['files'];
  const uploadRefusals = (what: string) => ({
    413: { description: `PAYLOAD_TOO_LARGE: more than MAX_FILE_BYTES (${maxFileBytes}) bytes, or an image over MAX_IMAGE_PIXELS` },
    415: {
      description:
        `UNSUPPORTED_MEDIA_TYPE: not multipart/form-data, or ${what} (the type is sniffed from the bytes; ` +
        `ALLOWED_FILE_TYPES: ${allowedTypes.join(', ')})`,
    },
    429: { description: 'RATE_LIMIT_EXCEEDED: UPLOADS_PER_USER_PER_DAY or UPLOAD_BYTES_PER_USER_PER_DAY' },
  });
  const download = (thumbnail: boolean): Endpoint =>
    authedRoute({
      method: 'get',
      path: thumbnail ? '/api/files/:fileId/thumbnail' : '/api/files/:fileId',
      summary: thumbnail ? "An image's thumbnail (longest side at most 320 px)" : "A file's bytes",
      description: thumbnail
        ? 'A JPEG for a JPEG, else a PNG. Same access as the file.'
        : 'Readable by its uploader and by the readers of every room it was sent to (members; anyone signed in for a ' +
          'public room); an avatar by anyone signed in. `Content-Type` is the sniffed type, `ETag` the SHA-256, ' +
          '`Content-Disposition: attachment` for anything but an allowed image; one `Range: bytes=` range is served as 206.',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: fileIdParams,
      responses: downloadResponses(thumbnail),
      binary: binaryResponses(thumbnail, allowedTypes),
      async handler({ principal, params, req }) {
        const file = await queries.readable(principal, params.fileId);
        const etag = etagOf(file.sha256, thumbnail);
        if (notModified(req.headers['if-none-match'], etag)) return { status: 304, headers: { ETag: etag } };
        if (thumbnail) {
          const stored = await queries.thumbnail(file);
          const contentType = isImageType(file.contentType) ? thumbnailTypeOf(file.contentType) : 'image/png';
          return {
            status: 200,
            headers: downloadHeaders(file, allowedTypes, { contentType, length: stored.length, etag }),
            stream: stored.stream,
          };
        }
        const range = byteRangeOf(req.headers.range, file.size);
        const stored = await queries.bytes(file, range);
        const headers = downloadHeaders(file, allowedTypes, { contentType: file.contentType, length: stored.length, etag });
        if (range === undefined) return { status: 200, headers, stream: stored.stream };
        return {
          status: 206,
          headers: { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${stored.size}` },
          stream: stored.stream,
        };
      },
    });

  return [
    authedRoute({
      method: 'post',
      path: '/api/files',
      summary: 'Upload a file (then attach it to a message, or make it your avatar)',
      description:
        'One part named `file`; its filename and declared type are hints only. Images (PNG, JPEG, GIF, WebP) are ' +
        'decoded and re-encoded, which drops EXIF (GPS included), and get a thumbnail. An upload neither sent nor made ' +
        'an avatar within FILE_UNSENT_TTL_SECONDS can no longer be attached and is removed.',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      upload: { field: 'file', description: 'the file' },
      responses: {
        201: { description: 'stored', schema: fileResponse },
        400: { description: 'VALIDATION_FAILED: no part named file' },
        ...uploadRefusals('a type not in ALLOWED_FILE_TYPES'),
      },
      async handler({ principal, req, requestId }) {
        const file = await closingOnFailure(req, async () => files.upload(principal, await fileUploadOf(req, 'file', maxFileBytes), requestId));
        return { status: 201, body: { file: fileDto(file) } };
      },
    }),
    download(false),
    download(true),
    authedRoute({
      method: 'put',
      path: '/api/users/me/avatar',
      summary: 'Upload an image as your avatar',
      description:
        'Like POST /api/files, for an image only; the profile\'s `avatarUrl` becomes `/api/files/{fileId}`, which ' +
        'anyone signed in may read. Recorded as ProfileUpdated.',
      tags: ['users'],
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      upload: { field: 'file', description: 'the image' },
      responses: {
        200: { description: 'the profile with its new avatar', schema: z.object({ user: userSchema }) },
        400: { description: 'VALIDATION_FAILED: no part named file' },
        ...uploadRefusals('not an image'),
      },
      async handler({ principal, req, requestId }) {
        const file = await closingOnFailure(req, async () =>
          files.upload(principal, await fileUploadOf(req, 'file', maxFileBytes), requestId, { imagesOnly: true }),
        );
        const { user } = await accounts.updateProfile(principal, { avatarFileId: file.fileId }, requestId);
        return { status: 200, body: { user: userDto(user) } };
      },
    }),
  ];
}
