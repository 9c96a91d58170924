// The WebSocket gateway, presence and receipts: the reference's "WebSocket, presence and receipts" section
// (CONFIG_GROUPS.realtime), in the order it lists them.

import { doc } from './configGroups.js';
import { csv, positiveInt } from './settingValues.js';

export const realtimeSettings = {
  PRESENCE_TTL_SECONDS: positiveInt
    .default(60)
    .meta(
      doc(
        'realtime',
        'A connection without a heartbeat (`pong`) for this long is offline (a sweep runs every half TTL); keep ' +
          'it above `WS_PING_INTERVAL_MS`.',
      ),
    ),
  RECEIPT_FLUSH_INTERVAL_MS: positiveInt
    .default(1000)
    .meta(
      doc(
        'realtime',
        'Delivered markers gather in memory and are appended once per interval, one event per room that had any ' +
          "(carrying each member's new marker); reads are written at once.",
      ),
    ),
  WS_AUTH_TIMEOUT_MS: positiveInt
    .default(30_000)
    .meta(
      doc('realtime', 'Time a new WebSocket has to send its `auth` frame (then `AUTH_TIMEOUT` and close 4001).'),
    ),
  WS_PING_INTERVAL_MS: positiveInt
    .default(30_000)
    .meta(
      doc(
        'realtime',
        "Server `ping` interval; a connection that has not answered the previous one with `pong` is closed (4002). " +
          "Each ping also checks the connection's token again (expired or revoked: 4003).",
      ),
    ),
  WS_MAX_FRAME_BYTES: positiveInt
    .default(16 * 1024)
    .meta(doc('realtime', 'Largest client frame (then `PAYLOAD_TOO_LARGE` and close 1009).')),
  WS_ALLOWED_ORIGINS: csv
    .default([])
    .meta(
      doc(
        'realtime',
        "Comma-separated browser origins allowed to connect besides the server's own, `*` for any; a handshake " +
          'without `Origin` (not a browser) is always allowed.',
        "only the server's own origin",
      ),
    ),
  WS_MAX_BUFFERED_BYTES: positiveInt
    .default(1024 * 1024)
    .meta(
      doc(
        'realtime',
        'Unsent bytes a socket may hold for longer than `WS_SLOW_CONSUMER_GRACE_MS` before it is closed as a slow ' +
          'consumer (4008).',
      ),
    ),
  WS_SLOW_CONSUMER_GRACE_MS: positiveInt
    .default(5000)
    .meta(
      doc('realtime', 'How long a socket may stay above `WS_MAX_BUFFERED_BYTES` before it is closed (4008).'),
    ),
  WS_CLOSE_TIMEOUT_MS: positiveInt
    .default(5000)
    .meta(
      doc(
        'realtime',
        'How long a socket the server closes may take to finish the close handshake before it is cut off.',
      ),
    ),
  WS_TYPING_INTERVAL_MS: positiveInt
    .default(1000)
    .meta(
      doc(
        'realtime',
        'At most one `chat.typing` per user and room in this interval; more are refused (`RATE_LIMIT_EXCEEDED`) ' +
          'and not relayed.',
      ),
    ),
};
