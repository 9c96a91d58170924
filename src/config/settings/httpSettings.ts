// The REST edge: the reference's "HTTP" section (CONFIG_GROUPS.http), in the order it lists them.

import { z } from 'zod';
import { doc } from './configGroups.js';
import { csv, positiveInt } from './settingValues.js';

export const httpSettings = {
  CORS_ORIGINS: csv
    .default([])
    .meta(doc('http', 'Comma-separated origins allowed by CORS, `*` for any.', 'no other origin')),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .meta(doc('http', '`true`: trust `X-Forwarded-For` (behind a reverse proxy) for the per-IP limits.')),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .regex(/^[A-Za-z0-9._~+/=-]+$/, 'must be usable as a bearer token (letters, digits, ._~+/=-)')
    .optional()
    .meta(
      doc(
        'http',
        'When set (16+ characters usable as a bearer token), `/metrics` requires `Authorization: Bearer <token>` ' +
          'from every caller, loopback included.',
        '`/metrics` answers only loopback (see `METRICS_OPEN`)',
      ),
    ),
  METRICS_OPEN: z
    .enum(['true', 'false'])
    .default('false')
    .meta(
      doc(
        'http',
        '`true`: `/metrics` answers any host without a token (a private network whose scrapers cannot send one). ' +
          'Otherwise, without `METRICS_TOKEN`, only connections from loopback (127.0.0.0/8, ::1) are answered; ' +
          '`X-Forwarded-For` never counts. Cannot be combined with `METRICS_TOKEN`.',
      ),
    ),
  READ_YOUR_WRITES_TIMEOUT_MS: positiveInt
    .default(5000)
    .meta(
      doc(
        'http',
        'How long a command waits for the history view to show its events before answering `503`.',
      ),
    ),
};
