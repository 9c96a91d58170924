import { describe, expect, it } from 'vitest';
import { ChatError } from '../../src/domain/errors.js';
import { httpStatusOf } from '../../src/http/errorMapping.js';
import { httpParserErrorOf, requestErrorOf, requireUtf8Json } from '../../src/http/requestErrors.js';

// What the request machinery throws becomes one of our codes; the e2e test (malformedInput) sends the requests,
// this covers the cases too slow or too rare to provoke there (a request timeout, a reset connection).

function coded(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(code), { code, ...extra });
}

function codeOf(error: unknown): string | undefined {
  return error instanceof ChatError ? error.code : undefined;
}

describe('request machinery errors (unit)', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'HEADERS_TOO_LARGE', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'REQUEST_TIMEOUT', 408],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'PAYLOAD_TOO_LARGE', 413],
    ['HPE_INVALID_METHOD', 'VALIDATION_FAILED', 400],
    ['HPE_INVALID_CONSTANT', 'VALIDATION_FAILED', 400],
  ])('the HTTP parser error %s is answered %s (%i)', (nodeCode, code, status) => {
    const refusal = httpParserErrorOf(coded(nodeCode));
    expect(codeOf(refusal)).toBe(code);
    if (refusal) expect(httpStatusOf(refusal.code)).toBe(status);
  });

  it('answers nothing on a connection that failed rather than a request that was malformed', () => {
    expect(httpParserErrorOf(coded('ECONNRESET'))).toBeUndefined();
    expect(httpParserErrorOf(new Error('no code'))).toBeUndefined();
  });

  it("turns the router's URIError into VALIDATION_FAILED on the path, and leaves any other URIError a bug", () => {
    const routerError = Object.assign(new URIError("Failed to decode param '%ff'"), { status: 400 });
    expect(requestErrorOf(routerError)).toMatchObject({ code: 'VALIDATION_FAILED', details: { part: 'path' } });
    const bug = new URIError('URI malformed');
    expect(requestErrorOf(bug)).toBe(bug);
  });

  it.each([
    ['entity.parse.failed', 'INVALID_JSON'],
    ['entity.too.large', 'PAYLOAD_TOO_LARGE'],
    ['encoding.unsupported', 'UNSUPPORTED_MEDIA_TYPE'],
    ['charset.unsupported', 'UNSUPPORTED_MEDIA_TYPE'],
    ['request.aborted', 'VALIDATION_FAILED'],
  ])('turns the body parser failure %s into %s', (type, code) => {
    expect(codeOf(requestErrorOf(Object.assign(new Error(type), { type })))).toBe(code);
  });

  it('keeps our own errors, also once body-parser has decorated them with its fields', () => {
    const ours = Object.assign(new ChatError('INVALID_JSON', 'not UTF-8'), { type: 'entity.verify.failed', status: 403 });
    expect(requestErrorOf(ours)).toBe(ours);
  });

  it('lets UTF-8 JSON through and refuses other bytes and other charsets', () => {
    const verify = (body: Buffer, charset: string) => () => requireUtf8Json(undefined, undefined, body, charset);
    expect(verify(Buffer.from('{"text":"héllo 😀"}'), 'utf-8')).not.toThrow();
    expect(verify(Buffer.from([0x7b, 0xff, 0x7d]), 'utf-8')).toThrow(expect.objectContaining({ code: 'INVALID_JSON' }));
    expect(verify(Buffer.from('{}', 'utf16le'), 'utf-16le')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }));
  });
});
