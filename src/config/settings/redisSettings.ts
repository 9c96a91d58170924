// Redis and the selectors of the state several processes share: the reference's "Shared state (Redis)" section
// (CONFIG_GROUPS.redis), in the order it lists them.

import { z } from 'zod';
import { doc } from './configGroups.js';

export const redisSettings = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional()
    .meta(
      doc(
        'redis',
        '`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS; one connection shared by every Redis ' +
          'adapter. Required when any selector below is `redis`.',
      ),
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .min(1)
    .max(100)
    .default('chat:')
    .meta(
      doc(
        'redis',
        'Prepended to every key (and the typing channel): give each deployment, and a rebuild next to a live ' +
          'store, its own.',
      ),
    ),
  PRESENCE_STORE: z
    .enum(['memory', 'redis'])
    .default('memory')
    .meta(
      doc(
        'redis',
        '`memory`: in this process; `redis`: connections per user in sorted sets scored by their last heartbeat, shared by every gateway; ' +
          'expiry and online/offline transitions are Lua scripts, so a user several gateways sweep at once goes ' +
          'offline once.',
      ),
    ),
  RATE_LIMIT_STORE: z
    .enum(['memory', 'redis'])
    .default('memory')
    .meta(
      doc(
        'redis',
        "`memory`: counted per process; `redis`: the login lockout and the auth, send and email-search budgets in Redis (rate-limiter-flexible's " +
          '`RateLimiterRedis`), counted across processes. The WebSocket typing and read frame limits stay per ' +
          'process: they only protect that process.',
      ),
    ),
  TOKEN_STORE: z
    .enum(['sqlite', 'redis'])
    .default('sqlite')
    .meta(
      doc(
        'redis',
        'Refresh-token families, the access-token blacklist and per-user revocations: `sqlite` in ' +
          '`DATA_DIR/auth.db`; `redis` shared, a rotation one Lua script (of concurrent refreshes with one token ' +
          'exactly one wins, the others revoke the family), and every key expires with what it holds.',
      ),
    ),
  ANALYTICS_STORE: z
    .enum(['memory', 'redis'])
    .default('memory')
    .meta(
      doc(
        'redis',
        '`memory`: counters in each api process, rebuilt from the start of the log at every start; `redis`: the ' +
          'counters with their checkpoint, moved by one Lua script per batch (a re-delivered batch never counts ' +
          'twice), filled by `projector:analytics` processes; a restart continues from the checkpoint.',
      ),
    ),
  TYPING_BUS: z
    .enum(['memory', 'redis'])
    .default('memory')
    .meta(
      doc(
        'redis',
        '`memory`: within this process; `redis`: `chat.typing` over Redis pub/sub (channel `<REDIS_KEY_PREFIX>typing`), so the subscribers of ' +
          'every gateway see it; at most once, like the indicator it drives.',
      ),
    ),
  PERSONAL_DATA_KEYS: z
    .enum(['sqlite', 'redis'])
    .default('sqlite')
    .meta(
      doc(
        'redis',
        'The per-user keys personal data is sealed with ([auditors](auditors.md#erasure-crypto-shredding)): ' +
          '`sqlite` in `DATA_DIR/keys.db`, `redis` in `<REDIS_KEY_PREFIX>keys:<userId>`, shared by every process ' +
          "(required when several processes share a log). Never cached in a process, so an erasure is seen by every " +
          "process's next read.",
      ),
    ),
};
