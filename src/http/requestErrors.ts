import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { ChatError, ValidationError } from '../domain/errors.js';
import { requestIdOf } from './accessLog.js';
import { errorBodyOf } from './errorMapping.js';

// What the machinery in front of the routes (Node's HTTP parser, express's router, the JSON body parser) throws at a
// malformed request, turned into our coded errors: a client's mistake is a 4xx with a code, never a 500.

/** The error to answer with: ours as they are, the known failures of the request machinery as ours. */
export function requestErrorOf(error: unknown): unknown {
  if (error instanceof ChatError) return error;
  return bodyParserError(error) ?? pathDecodingError(error) ?? error;
}

/**
 * What to answer a request that failed (the express app's error handler and the direct lane's): its error as ours,
 * as status, body and headers. A 5xx is a bug of ours, logged with the request's id.
 */
export function refusalOf(error: unknown, req: IncomingMessage, logger: Logger): ReturnType<typeof errorBodyOf> {
  const refusal = errorBodyOf(requestErrorOf(error));
  if (refusal.status >= 500) logger.error({ err: error, reqId: requestIdOf(req) }, 'request failed');
  return refusal;
}

/** How a JSON body is refused, whoever reads it (body-parser for express, the direct lane itself). */
export const bodyRefusals = {
  notJson: () => new ValidationError('request body is not valid JSON', undefined, 'INVALID_JSON'),
  notUtf8: () => new ValidationError('request body is not valid UTF-8', undefined, 'INVALID_JSON'),
  unreadable: () => new ValidationError('request body could not be read'),
};

/**
 * The JSON body parser's `verify` hook: JSON between systems is UTF-8 (RFC 8259 §8.1). Without it, bytes that are not
 * UTF-8 would be decoded to U+FFFD and stored as if the client had sent that.
 */
export function requireUtf8Json(_req: unknown, _res: unknown, body: Buffer, charset: string): void {
  if (charset !== 'utf-8') throw new ChatError('UNSUPPORTED_MEDIA_TYPE', 'request bodies must be UTF-8 JSON');
  if (!isUtf8(body)) throw bodyRefusals.notUtf8();
}

/** body-parser reports its failures with a `type`; each becomes one of our codes. */
function bodyParserError(error: unknown): ChatError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch (error.type) {
    case 'entity.parse.failed':
      return bodyRefusals.notJson();
    case 'entity.too.large':
      return new ChatError('PAYLOAD_TOO_LARGE', 'request body is too large');
    case 'encoding.unsupported':
      return new ChatError('UNSUPPORTED_MEDIA_TYPE', 'request bodies must not be compressed (Content-Encoding)');
    case 'charset.unsupported':
      return new ChatError('UNSUPPORTED_MEDIA_TYPE', 'request bodies must be UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return bodyRefusals.unreadable();
    default:
      return undefined;
  }
}

/** express's router cannot percent-decode a path parameter (`/api/users/%ff`): it throws a URIError marked 400. */
function pathDecodingError(error: unknown): ChatError | undefined {
  if (!(error instanceof URIError) || !('status' in error) || error.status !== 400) return undefined;
  return new ValidationError('the path is not valid percent-encoded UTF-8', { part: 'path' });
}

/**
 * What to answer a request Node's HTTP parser refused before express saw it, or undefined when nothing can be
 * answered (the peer is gone). Codes are Node's (`HPE_*` from llhttp, `ERR_HTTP_REQUEST_TIMEOUT`).
 */
export function httpParserErrorOf(error: Error): ChatError | undefined {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ChatError('HEADERS_TOO_LARGE', 'the request line and headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ChatError('REQUEST_TIMEOUT', 'the request was not received in time');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ChatError('PAYLOAD_TOO_LARGE', 'chunk extensions are too large');
    default:
      // Any other HPE_ is a message HTTP/1.1 cannot parse; anything else is the connection failing (ECONNRESET).
      return code.startsWith('HPE_') ? new ValidationError('malformed HTTP request', { part: 'request' }) : undefined;
  }
}
