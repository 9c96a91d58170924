import { ChatError, MethodNotAllowedError, RateLimitedError, type ErrorCode } from '../domain/errors.js';

/** The one place an error code becomes an HTTP status (DESIGN.md style rule 4). */
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNKNOWN_TYPE: 400,
  EMPTY_CONTENT: 400,
  INVALID_CONTENT: 400,
  WEAK_PASSWORD: 400,
  INVALID_ROOM: 400,
  AUTH_REQUIRED: 401,
  AUTH_TIMEOUT: 401,
  AUTH_FAILED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  FORBIDDEN: 403,
  NOT_MEMBER: 403,
  NOT_SENDER: 403,
  BLOCKED: 403,
  ACCOUNT_LOCKED: 429,
  NOT_FOUND: 404,
  NO_ROOM: 404,
  NO_MESSAGE: 404,
  NO_USER: 404,
  NO_FILE: 404,
  NO_THUMBNAIL: 404,
  NO_FRIEND_REQUEST: 404,
  NOT_FRIENDS: 404,
  USERNAME_TAKEN: 409,
  ROOM_EXISTS: 409,
  ROOM_FULL: 409,
  MESSAGE_DELETED: 409,
  ALREADY_MEMBER: 409,
  CONCURRENCY_CONFLICT: 409,
  IDEMPOTENCY_CONFLICT: 409,
  FRIEND_REQUEST_EXISTS: 409,
  ALREADY_FRIENDS: 409,
  DISPLAY_NAME_CONFUSABLE: 409,
  IDENTITY_TAKEN: 409,
  PROVIDER_ALREADY_LINKED: 409,
  LAST_SIGN_IN_METHOD: 409,
  NO_IDENTITY: 404,
  NO_PROVIDER: 404,
  OAUTH_STATE_MISMATCH: 400,
  OAUTH_CODE_INVALID: 400,
  OAUTH_PROVIDER_ERROR: 502,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  MESSAGE_TOO_LONG: 413,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMIT_EXCEEDED: 429,
  RATE_LIMIT_UNAVAILABLE: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  SCHEMA_INVALID: 500,
  SCHEMA_INCOMPATIBLE: 500,
  SCHEMA_NOT_FOUND: 500,
  EVENT_ENCODE_FAILED: 500,
  EVENT_DECODE_FAILED: 500,
  CHECKPOINT_INVALID: 500,
  HISTORY_SCHEMA_OUTDATED: 500,
  HISTORY_STORE_MISCONFIGURED: 500,
  EVENT_LOG_MISCONFIGURED: 500,
  PERSONAL_DATA_ERASED: 410,
  ACCOUNT_ERASED: 410,
  PERSONAL_DATA_TAMPERED: 500,
  PERSONAL_DATA_KEY_MISSING: 500,
  AI_ERROR: 502,
  AI_TIMEOUT: 504,
  ALREADY_PROCESSING: 409,
  NOT_ASSISTANT: 404,
};

export function httpStatusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** Known errors keep their code and message; anything else is an internal error whose text is not leaked. */
export function errorBodyOf(error: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof ChatError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details !== undefined) body.error.details = error.details;
    return { status: httpStatusOf(error.code), body, headers: errorHeadersOf(error) };
  }
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'internal error' } }, headers: {} };
}

/** The headers HTTP defines for some statuses: when to retry a 429, what a 405's path does allow. */
function errorHeadersOf(error: ChatError): Record<string, string> {
  if (error instanceof RateLimitedError) return { 'Retry-After': String(error.retryAfterSeconds) };
  if (error instanceof MethodNotAllowedError) return { Allow: error.allow.join(', ') };
  return {};
}
