// Where the Avro schema ids come from: the reference's "Schema registry" section (CONFIG_GROUPS.schemaRegistry),
// in the order it lists them.

import { z } from 'zod';
import { doc } from './configGroups.js';
import { positiveInt } from './settingValues.js';

export const schemaRegistrySettings = {
  SCHEMA_REGISTRY: z
    .enum(['embedded', 'confluent'])
    .default('embedded')
    .meta(
      doc(
        'schemaRegistry',
        '`embedded`: a table in `DATA_DIR/events.db`; `confluent`: a Confluent-compatible registry (Confluent, ' +
          "Apicurio's `ccompat` API, …), which needs `SCHEMA_REGISTRY_URL`. Events name their schema ids in the " +
          'registry they were written with: do not switch it under an existing log.',
      ),
    ),
  SCHEMA_REGISTRY_URL: z
    .string()
    .refine(
      (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
      'must be an http:// or https:// URL, e.g. http://127.0.0.1:8081',
    )
    // The URL appears in logs and error messages; basic auth is not supported yet.
    .refine(
      (value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''),
      'must not contain credentials',
    )
    .optional()
    .meta(
      doc(
        'schemaRegistry',
        'The registry\'s base URL, path prefix included, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`; http(s), ' +
          'no credentials. Required for `confluent`, ignored otherwise (so the `scripts/services env` export does ' +
          'not switch `npm start`).',
      ),
    ),
  SCHEMA_REGISTRY_TIMEOUT_MS: positiveInt
    .default(5000)
    .meta(doc('schemaRegistry', 'Per request; a registry that does not answer in time is reported as unavailable.')),
  SCHEMA_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold letters, digits, dots, underscores and dashes only')
    .default('')
    .meta(
      doc(
        'schemaRegistry',
        'Put before every subject as it is (`staging.` gives `staging.chat.events.MessageSent`), so deployments ' +
          'can share one registry. Letters, digits, dots, underscores and dashes.',
      ),
    ),
};
