// Passwords, tokens, the login lockout and the first admins: the reference's "Accounts and tokens" section
// (CONFIG_GROUPS.auth), in the order it lists them.

import { z } from 'zod';
import { doc } from './configGroups.js';
import { csv, positiveInt } from './settingValues.js';

export const authSettings = {
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .meta(
      doc(
        'auth',
        'HS256 secret of the access tokens, 32+ characters. Processes that serve the same users need the same one.',
        'one is generated into `DATA_DIR/jwt-secret`, with a warning',
      ),
    ),
  JWT_ISSUER: z.string().min(1).default('chat-service').meta(doc('auth', '`iss` of the access tokens.')),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt
    .default(15 * 60)
    .meta(
      doc(
        'auth',
        'Access-token lifetime (15 minutes). A token keeps the role it was issued with until it expires.',
      ),
    ),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt
    .default(7 * 24 * 60 * 60)
    .meta(doc('auth', 'Refresh-token lifetime (7 days).')),
  PASSWORD_MIN_LENGTH: positiveInt
    .default(12)
    .meta(doc('auth', 'Shortest password; a password also needs upper and lower case, a digit and a symbol.')),
  LOGIN_MAX_FAILURES: positiveInt
    .default(5)
    .meta(
      doc(
        'auth',
        'Failed logins (a wrong current password in a password change counts as one) that lock an account: ' +
          '`429 ACCOUNT_LOCKED`.',
      ),
    ),
  LOGIN_LOCKOUT_SECONDS: positiveInt
    .default(15 * 60)
    .meta(doc('auth', 'How long a locked account stays locked (15 minutes).')),
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt
    .default(30)
    .meta(doc('auth', 'Register, login and refresh calls per client IP per minute.')),
  ADMIN_USERNAMES: csv
    .default([])
    .meta(doc('auth', 'Comma-separated usernames that get the `admin` role when they register.', 'none')),
};
