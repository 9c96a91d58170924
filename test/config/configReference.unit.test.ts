import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIG_GROUPS, CONFIG_KEYS, configSchema } from '../../src/config/config.js';
import { CONFIG_REFERENCE_PATH, renderConfigReference } from '../../src/config/configReference.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the configuration reference (docs/configuration.md)', () => {
  it('is what the config schema renders', () => {
    const written = readFileSync(path.join(root, CONFIG_REFERENCE_PATH), 'utf8');
    expect(written, `${CONFIG_REFERENCE_PATH} is stale: run \`npm run docs:config\` and commit it`).toBe(
      renderConfigReference(),
    );
  });

  it('describes every setting, in a known group', () => {
    const undescribed = Object.entries(configSchema.shape).flatMap(([name, setting]) => {
      const meta = setting.meta();
      const described = typeof meta?.description === 'string' && meta.description.trim() !== '';
      const grouped = typeof meta?.group === 'string' && Object.hasOwn(CONFIG_GROUPS, meta.group);
      return described && grouped ? [] : [name];
    });
    expect(undescribed, 'settings without a description or a known group in src/config/config.ts').toEqual([]);
  });

  it('lists every setting once, with its default, its allowed values and what unset means', () => {
    const reference = renderConfigReference();
    for (const name of CONFIG_KEYS) {
      expect(reference.split('\n').filter((line) => line.startsWith(`| \`${name}\` |`)), name).toHaveLength(1);
    }
    expect(reference).toContain('| `PORT` | `3000` |  |');
    expect(reference).toContain('| `EVENT_LOG` | `sqlite` | `sqlite`, `kafka` |');
    expect(reference).toContain('| `JWT_SECRET` | unset: one is generated into `DATA_DIR/jwt-secret`, with a warning |');
    expect(reference).toContain('| `KAFKA_BROKERS` | unset |');
    expect(reference).toContain('| `CORS_ORIGINS` | unset: no other origin |');
  });

  it('refuses to render a setting without a description, or one in an unknown group', () => {
    const groups = { general: { title: 'General', intro: 'Everything.' } };
    expect(() =>
      renderConfigReference(z.object({ QUIET: z.string().optional().meta({ group: 'general' }) }), groups),
    ).toThrow(/QUIET has no description/);
    expect(() =>
      renderConfigReference(z.object({ LOUD: z.string().optional().meta({ group: 'elsewhere', description: 'x' }) }), groups),
    ).toThrow(/LOUD names no known group/);
  });

  it('escapes what would break a table row', () => {
    const groups = { general: { title: 'General', intro: 'Everything.' } };
    const schema = z.object({
      MODE: z.enum(['a', 'b']).default('a').meta({ group: 'general', description: 'either `a|b`,\n  on one line' }),
    });
    expect(renderConfigReference(schema, groups)).toContain('| `MODE` | `a` | `a`, `b` | either `a\\|b`, on one line |');
  });
});
