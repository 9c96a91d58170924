import { z } from 'zod';
import { assistantSettings } from './settings/assistantSettings.js';
import { authSettings } from './settings/authSettings.js';
import { eventLogSettings } from './settings/eventLogSettings.js';
import { filesSettings } from './settings/filesSettings.js';
import { historyStoreSettings } from './settings/historyStoreSettings.js';
import { httpSettings } from './settings/httpSettings.js';
import { limitsSettings } from './settings/limitsSettings.js';
import { oauthSettings } from './settings/oauthSettings.js';
import { processSettings } from './settings/processSettings.js';
import { realtimeSettings } from './settings/realtimeSettings.js';
import { redisSettings } from './settings/redisSettings.js';
import { schemaRegistrySettings } from './settings/schemaRegistrySettings.js';

// Every setting the environment may hold, assembled from one settings file per section of the reference. The
// sections are spread in CONFIG_GROUPS order, so CONFIG_KEYS, and the problems a ConfigError lists (zod reports them
// in schema order), read in the order of docs/configuration.md. A name defined in two sections would silently keep
// the later schema: test/config/configSettings.unit.test.ts refuses that.
export const configSchema = z.object({
  ...processSettings,
  ...authSettings,
  ...oauthSettings,
  ...limitsSettings,
  ...httpSettings,
  ...realtimeSettings,
  ...eventLogSettings,
  ...schemaRegistrySettings,
  ...historyStoreSettings,
  ...filesSettings,
  ...redisSettings,
  ...assistantSettings,
});

export type RawConfig = z.infer<typeof configSchema>;

/** The names of every setting, in schema order (docs/configuration.md documents each). */
export const CONFIG_KEYS = Object.keys(configSchema.shape);
