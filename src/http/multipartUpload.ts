import busboy from 'busboy';
import type { Request } from 'express';
import { ChatError, ValidationError } from '../domain/errors.js';
import type { UploadPart } from '../commands/files/fileCommands.js';

// Reads the one `file` part of a multipart/form-data request as a stream (busboy), never buffering it: the part's
// bytes flow to the upload's staging file as they arrive. Any other part (a field, a second file) is refused with
// 400, before the upload is stored (UploadPart.rest).

/** Room for the multipart framing and headers beyond the file itself, when checking Content-Length up front. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Resolves with the first part named `field` once its headers have arrived; the caller reads its stream. Refuses
 * a request that is not multipart (415), declares a body far over the limit (413, before reading it), or ends
 * without the part (400).
 */
export function fileUploadOf(req: Request, field: string, maxFileBytes: number): Promise<UploadPart> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(new ChatError('UNSUPPORTED_MEDIA_TYPE', 'an upload is multipart/form-data with a part named file'));
  }
  if (Number(req.headers['content-length'] ?? 0) > maxFileBytes + MULTIPART_OVERHEAD_BYTES) {
    return Promise.reject(new ChatError('PAYLOAD_TOO_LARGE', `a file may have at most ${maxFileBytes} bytes`, { maxBytes: maxFileBytes }));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // One byte more than allowed lets the staging meter see the excess and refuse it with its code.
        limits: { files: 1, fields: 20, fieldSize: 1024, parts: 21, fileSize: maxFileBytes + 1, headerPairs: 20 },
        defParamCharset: 'utf8',
      });
    } catch (error) {
      reject(new ChatError('UNSUPPORTED_MEDIA_TYPE', `not a readable multipart body: ${error instanceof Error ? error.message : ''}`));
      return;
    }
    let found = false;
    let extra: string | undefined;
    let settleRest: (error?: Error) => void = () => undefined;
    const rest = new Promise<void>((done, fail) => {
      settleRest = (error) => (error ? fail(error) : done());
    });
    // Observed here so a refusal before anyone awaits it is no unhandled rejection; the upload awaits it.
    rest.catch(() => undefined);
    const unexpected = (name: string): ValidationError =>
      new ValidationError(`the body holds a part other than ${field}: ${JSON.stringify(name)}`, { part: 'body', field: name });
    parser.on('file', (name, stream, info) => {
      if (name !== field || found) {
        extra ??= name;
        stream.resume();
        return;
      }
      found = true;
      resolve({ stream, filename: info.filename, rest });
    });
    parser.on('field', (name) => {
      extra ??= name;
    });
    parser.on('error', (error: unknown) => {
      const failure = new ValidationError(`the multipart body could not be read: ${error instanceof Error ? error.message : ''}`);
      if (!found) reject(failure);
      settleRest(failure);
    });
    parser.on('close', () => {
      if (!found) {
        reject(extra !== undefined ? unexpected(extra) : new ValidationError(`the multipart body has no part named ${field}`, { part: 'body', field }));
      }
      settleRest(extra === undefined ? undefined : unexpected(extra));
    });
    // A client that goes away mid-upload: busboy errors the part's stream, and the staging file goes with it.
    req.on('aborted', () => parser.destroy(new Error('the client went away mid-upload')));
    req.pipe(parser);
  });
}
