// Every WebSocket close code the gateway uses, in one place (docs/clients.md "WebSocket" documents them). Standard
// codes where RFC 6455 has one; 4xxx (the range RFC 6455 leaves to applications) for the gateway's own reasons, chosen
// to echo the HTTP status a REST client would see for the same cause.

export const CLOSE_CODES = {
  /** The server is shutting down; reconnect (to another instance) after a pause. */
  GOING_AWAY: 1001,
  /** A frame was bigger than WS_MAX_FRAME_BYTES. */
  MESSAGE_TOO_BIG: 1009,
  /** A bug or a failed dependency while setting the connection up. */
  INTERNAL_ERROR: 1011,
  /** No `auth` frame within WS_AUTH_TIMEOUT_MS. */
  AUTH_TIMEOUT: 4001,
  /** No `pong` before the next `ping` (WS_PING_INTERVAL_MS): the peer is presumed gone. */
  PING_TIMEOUT: 4002,
  /** The token was refused (invalid, expired or revoked, or its account erased): at `auth`, or later when that happens. */
  AUTH_FAILED: 4003,
  /** The client read too slowly: its unsent data stayed above WS_MAX_BUFFERED_BYTES for the grace period. */
  SLOW_CONSUMER: 4008,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
