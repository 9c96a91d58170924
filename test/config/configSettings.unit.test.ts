import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../../src/config/config.js';
import { renderConfigReference } from '../../src/config/configReference.js';
import { assistantSettings } from '../../src/config/settings/assistantSettings.js';
import { authSettings } from '../../src/config/settings/authSettings.js';
import type { ConfigGroup } from '../../src/config/settings/configGroups.js';
import { eventLogSettings } from '../../src/config/settings/eventLogSettings.js';
import { filesSettings } from '../../src/config/settings/filesSettings.js';
import { historyStoreSettings } from '../../src/config/settings/historyStoreSettings.js';
import { httpSettings } from '../../src/config/settings/httpSettings.js';
import { limitsSettings } from '../../src/config/settings/limitsSettings.js';
import { oauthSettings } from '../../src/config/settings/oauthSettings.js';
import { processSettings } from '../../src/config/settings/processSettings.js';
import { realtimeSettings } from '../../src/config/settings/realtimeSettings.js';
import { redisSettings } from '../../src/config/settings/redisSettings.js';
import { schemaRegistrySettings } from '../../src/config/settings/schemaRegistrySettings.js';

// configSchema is spread together from one file per section (src/config/settings/): these check what the spread
// cannot, that no name is defined twice and that each file holds its own section's settings.

const SECTIONS: Record<ConfigGroup, Record<string, z.ZodType>> = {
  process: processSettings,
  auth: authSettings,
  oauth: oauthSettings,
  limits: limitsSettings,
  http: httpSettings,
  realtime: realtimeSettings,
  eventLog: eventLogSettings,
  schemaRegistry: schemaRegistrySettings,
  historyStore: historyStoreSettings,
  files: filesSettings,
  redis: redisSettings,
  assistants: assistantSettings,
};

describe('the settings files', () => {
  it('define each setting once, so the spread into configSchema loses none', () => {
    const names = Object.values(SECTIONS).flatMap((settings) => Object.keys(settings));
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('each hold the settings of the section they are named for', () => {
    const misplaced = Object.entries(SECTIONS).flatMap(([group, settings]) =>
      Object.entries(settings).flatMap(([name, setting]) => (setting.meta()?.group === group ? [] : [`${group}: ${name}`])),
    );
    expect(misplaced).toEqual([]);
  });

  it('list CONFIG_KEYS in the order of the reference', () => {
    const rows = renderConfigReference()
      .split('\n')
      .flatMap((line) => /^\| `([A-Z0-9_]+)` \|/.exec(line)?.slice(1) ?? []);
    expect(CONFIG_KEYS).toEqual(rows);
  });

  it('make a ConfigError list its problems in the order of the reference', () => {
    let problems: string[] = [];
    try {
      loadConfig({ EVENT_LOG: 'postgres', SQLITE_SYNCHRONOUS: 'off', JWT_SECRET: 'short' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['SQLITE_SYNCHRONOUS', 'JWT_SECRET', 'EVENT_LOG']);
  });
});
