// Every failure the service reports has a class here with a stable code. The edge (http/errorMapping.ts)
// maps each code to an HTTP status once; nothing else decides statuses.

export type ErrorCode =
  // validation (400)
  | 'VALIDATION_FAILED'
  | 'INVALID_JSON'
  // a WebSocket frame whose `type` the protocol does not know (API.md)
  | 'UNKNOWN_TYPE'
  | 'EMPTY_CONTENT'
  | 'INVALID_CONTENT'
  | 'WEAK_PASSWORD'
  | 'INVALID_ROOM'
  // authentication (401)
  | 'AUTH_REQUIRED'
  // a WebSocket connection that sent no `auth` frame in time
  | 'AUTH_TIMEOUT'
  | 'AUTH_FAILED'
  | 'INVALID_CREDENTIALS'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REVOKED'
  // authorization (403)
  | 'FORBIDDEN'
  | 'NOT_MEMBER'
  | 'NOT_SENDER'
  | 'ACCOUNT_LOCKED'
  // the other user blocked the caller (#17): said only where opening a direct room with them is refused
  | 'BLOCKED'
  // not found (404)
  | 'NOT_FOUND'
  | 'NO_ROOM'
  | 'NO_MESSAGE'
  | 'NO_USER'
  // files and images (issue #16): a file the caller may not read answers like one that does not exist
  | 'NO_FILE'
  | 'NO_THUMBNAIL'
  // no pending friend request between the two in the direction the command needs; not friends (nothing to remove)
  | 'NO_FRIEND_REQUEST'
  | 'NOT_FRIENDS'
  // conflict (409)
  | 'USERNAME_TAKEN'
  | 'ROOM_EXISTS'
  | 'ROOM_FULL'
  | 'MESSAGE_DELETED'
  | 'ALREADY_MEMBER'
  | 'CONCURRENCY_CONFLICT'
  | 'IDEMPOTENCY_CONFLICT'
  // friendships (src/commands/friends): a request already pending, or the two are friends already
  | 'FRIEND_REQUEST_EXISTS'
  | 'ALREADY_FRIENDS'
  // a display name that looks like another account's username (issue #15: same UTS #39 skeleton)
  | 'DISPLAY_NAME_CONFUSABLE'
  // sign-in with providers (issue #18): an identity linked to another account; the account already has one of
  // that provider; unlinking would leave no way to sign in (409)
  | 'IDENTITY_TAKEN'
  | 'PROVIDER_ALREADY_LINKED'
  | 'LAST_SIGN_IN_METHOD'
  // no identity of that provider is linked to the account (404); no such provider is configured (404)
  | 'NO_IDENTITY'
  | 'NO_PROVIDER'
  // the provider's answer does not belong to this browser's sign-in (state or nonce), or the code is unknown,
  // used or expired (400)
  | 'OAUTH_STATE_MISMATCH'
  | 'OAUTH_CODE_INVALID'
  // the provider could not be reached, refused us, or answered what cannot be trusted (502)
  | 'OAUTH_PROVIDER_ERROR'
  // a method the path is not served with (405): the answer's Allow header lists the ones it is
  | 'METHOD_NOT_ALLOWED'
  // the client did not finish sending its request line and headers in time (408)
  | 'REQUEST_TIMEOUT'
  // size (413)
  | 'MESSAGE_TOO_LONG'
  | 'PAYLOAD_TOO_LARGE'
  // the request line (URL included) and headers together are over the HTTP server's limit (431)
  | 'HEADERS_TOO_LARGE'
  // a Range header no byte of the file satisfies (416; issue #16's downloads)
  | 'RANGE_NOT_SATISFIABLE'
  // rate (429)
  | 'RATE_LIMIT_EXCEEDED'
  // the rate-limit store (Redis) cannot be asked: the request is refused rather than let through unlimited
  | 'RATE_LIMIT_UNAVAILABLE'
  // unsupported media (415)
  | 'UNSUPPORTED_MEDIA_TYPE'
  // dependencies (503) and bugs (500)
  | 'UNAVAILABLE'
  | 'INTERNAL_ERROR'
  // event schemas and encoding (500: the service's own data or deployment is wrong, never the client's request)
  | 'SCHEMA_INVALID'
  | 'SCHEMA_INCOMPATIBLE'
  | 'SCHEMA_NOT_FOUND'
  | 'EVENT_ENCODE_FAILED'
  | 'EVENT_DECODE_FAILED'
  // a projection's stored checkpoint (or a position handed to one) is not valid
  | 'CHECKPOINT_INVALID'
  // the history store's database schema is older than this code (run `chat migrate`), or newer than it knows
  | 'HISTORY_SCHEMA_OUTDATED'
  // the history store's database cannot hold what the service needs (character set, column sizes)
  | 'HISTORY_STORE_MISCONFIGURED'
  // the event log's deployment is wrong (a local index built from another topic, a topic that cannot be used)
  | 'EVENT_LOG_MISCONFIGURED'
  // crypto-shredding (src/privacy): the user's key is destroyed, so nothing personal of theirs can be stored (410)
  | 'PERSONAL_DATA_ERASED'
  // the account's personal data was erased, which closes it for good: no sign-in, refresh or token works (410)
  | 'ACCOUNT_ERASED'
  // a sealed value fails AES-GCM authentication: stored bytes were changed (500)
  | 'PERSONAL_DATA_TAMPERED'
  // a sealed value's key owner is unknown to the key store: the wrong store for this log, or a lost one (500)
  | 'PERSONAL_DATA_KEY_MISSING'
  // assistants (issue #19): the model server failed or is not configured (502); an answer took longer than
  // ASSISTANT_TIMEOUT_MS (504); the asker already has an answer coming in that room (409)
  | 'AI_ERROR'
  | 'AI_TIMEOUT'
  | 'ALREADY_PROCESSING'
  // a user that exists but is not an assistant, where an assistant is needed (404)
  | 'NOT_ASSISTANT';

/** The base of every error the service raises on purpose. `details` must be safe to show to the client. */
export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A command broke a domain rule: the decider refused it and nothing was appended. */
export class CommandRejectedError extends ChatError {}

/** Input that failed validation at the edge. */
export class ValidationError extends ChatError {
  constructor(message: string, details?: Record<string, unknown>, code: ErrorCode = 'VALIDATION_FAILED') {
    super(code, message, details);
  }
}

export class AuthenticationError extends ChatError {}

export class ForbiddenError extends ChatError {}

export class NotFoundError extends ChatError {}

export class RateLimitedError extends ChatError {
  constructor(
    message: string,
    /** Seconds until a retry can succeed. */
    readonly retryAfterSeconds: number,
    code: ErrorCode = 'RATE_LIMIT_EXCEEDED',
    options?: { cause?: unknown },
  ) {
    super(code, message, { retryAfterSeconds });
    // The store failure behind a RATE_LIMIT_UNAVAILABLE, for the logs; never part of the client's answer.
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

/** The path exists but not with this method; `allow` is what it is served with (the 405's Allow header). */
export class MethodNotAllowedError extends ChatError {
  constructor(
    method: string,
    path: string,
    readonly allow: readonly string[],
  ) {
    super('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, { allow: [...allow] });
  }
}

/** The stream moved on between reading its state and appending: the caller may reload and decide again. */
export class WrongExpectedVersionError extends ChatError {
  constructor(
    readonly streamId: string,
    readonly expected: number | 'no-stream' | 'any',
    readonly actual: number,
  ) {
    super('CONCURRENCY_CONFLICT', `stream ${streamId} is at version ${actual}, expected ${String(expected)}`, {
      streamId,
    });
  }
}

/** A dependency (database, broker) is not available right now. */
export class UnavailableError extends ChatError {
  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super('UNAVAILABLE', message, details);
    // Kept for the logs only: `details` is what the client sees, and a driver's error text is not for it.
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

/**
 * A sign-in provider (issue #18) could not be reached, refused our request, or answered with something that does
 * not hold up (an ID token that fails validation): 502, as a gateway whose upstream failed.
 */
export class ProviderError extends ChatError {
  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super('OAUTH_PROVIDER_ERROR', message, details);
    // For the logs only: the library's text may carry the provider's internals.
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
