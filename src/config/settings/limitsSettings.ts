// What one user or one request may do: the reference's "Limits" section (CONFIG_GROUPS.limits), in the order it
// lists them.

import { doc } from './configGroups.js';
import { positiveInt } from './settingValues.js';

export const limitsSettings = {
  SEND_LIMIT_PER_SECOND: positiveInt
    .default(5)
    .meta(
      doc(
        'limits',
        'Messages a user may send per second, over REST and WebSocket together; a retry of a message already ' +
          'sent is not counted again.',
      ),
    ),
  SEND_LIMIT_PER_MINUTE: positiveInt
    .default(20)
    .meta(doc('limits', 'Messages a user may send per minute, counted like `SEND_LIMIT_PER_SECOND`.')),
  MAX_MESSAGE_LENGTH: positiveInt
    .default(1000)
    .meta(
      doc(
        'limits',
        'Longest message text in characters (Unicode code points) after trimming and NFC normalisation; at most ' +
          '1000 with `HISTORY_STORE=oracle` (its text columns are `VARCHAR2(1000 CHAR)`).',
      ),
    ),
  MAX_ROOM_MEMBERS: positiveInt.default(100).meta(doc('limits', 'Members of a group room.')),
  MAX_BODY_BYTES: positiveInt.default(64 * 1024).meta(doc('limits', 'Largest request body (64 KiB).')),
};
