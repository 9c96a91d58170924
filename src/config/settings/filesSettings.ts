// Files and images (issue #16): where the bytes of uploads live and what may be uploaded; the reference's "Files and
// images" section (CONFIG_GROUPS.files), in the order it lists them.

import { z } from 'zod';
import { doc } from './configGroups.js';
import { csv, positiveInt } from './settingValues.js';

const MIB = 1024 * 1024;

export const filesSettings = {
  FILE_STORE: z
    .enum(['disk', 's3'])
    .default('disk')
    .meta(
      doc(
        'files',
        '`disk`: `DATA_DIR/files`, one folder per process (embedded); `s3`: an S3-compatible bucket shared by every ' +
          'api process (AWS S3, MinIO, Ceph, s3proxy ...). The `S3_*` settings are ignored unless it is `s3`.',
      ),
    ),
  S3_ENDPOINT: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
    .optional()
    .meta(doc('files', "The S3 API's base URL, such as `http://127.0.0.1:9311`; leave unset for AWS S3 itself.", 'AWS S3 itself')),
  S3_REGION: z.string().min(1).max(50).default('us-east-1').meta(doc('files', 'The region requests are signed for.')),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3 to 63 lowercase letters, digits, . or -)')
    .optional()
    .meta(doc('files', 'The bucket; required for `s3`. Created at start-up when it does not exist and S3_CREATE_BUCKET is true.')),
  S3_ACCESS_KEY_ID: z.string().min(1).optional().meta(doc('files', 'The access key; required for `s3`.')),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional().meta(doc('files', 'Its secret; required for `s3`.')),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('true')
    .meta(doc('files', '`true`: `<endpoint>/<bucket>/<key>` URLs, which most S3-compatible servers need; `false`: virtual-host style.')),
  S3_KEY_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9_-][A-Za-z0-9._-]*\/)+$/, 'must be folder names ending with "/"')
    .optional()
    .meta(doc('files', 'Put before every object key (`chat/`), so deployments can share a bucket.', 'keys start at the bucket root')),
  S3_CREATE_BUCKET: z
    .enum(['true', 'false'])
    .default('false')
    .meta(doc('files', '`true`: create the bucket at start-up when it does not exist (development and tests).')),
  MAX_FILE_BYTES: positiveInt
    .default(10 * MIB)
    .meta(doc('files', 'Largest upload in bytes (10 MiB); more is `413 PAYLOAD_TOO_LARGE`, refused while it streams in.')),
  ALLOWED_FILE_TYPES: csv
    .default(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'])
    .meta(
      doc(
        'files',
        'Media types that may be uploaded, comma-separated, as sniffed from the bytes (never the name); anything else ' +
          'is `415 UNSUPPORTED_MEDIA_TYPE`. Of the images only PNG, JPEG, GIF and WebP are re-encoded and shown inline.',
      ),
    ),
  MAX_IMAGE_PIXELS: positiveInt
    .default(25_000_000)
    .meta(doc('files', 'Most pixels (width × height) an image may declare; more is `413`, refused before decoding.')),
  MAX_ATTACHMENTS_PER_MESSAGE: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(10)
    .meta(doc('files', 'Files one message may carry (at most 10).')),
  UPLOADS_PER_USER_PER_DAY: positiveInt
    .default(200)
    .meta(doc('files', 'Uploads per user per 24 hours; more is `429 RATE_LIMIT_EXCEEDED` (kept where RATE_LIMIT_STORE says).')),
  UPLOAD_BYTES_PER_USER_PER_DAY: positiveInt
    .default(500 * MIB)
    .meta(doc('files', 'Bytes a user may upload per 24 hours (500 MiB), counted like UPLOADS_PER_USER_PER_DAY.')),
  FILE_UNSENT_TTL_SECONDS: positiveInt
    .default(24 * 60 * 60)
    .meta(
      doc(
        'files',
        'An upload neither sent in a message nor made an avatar within this time can no longer be attached; a sweeper ' +
          'in each api process removes it (FileDiscarded, then its bytes) ten minutes later.',
      ),
    ),
};
