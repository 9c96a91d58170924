import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../../src/config/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

const URL_ = 'http://127.0.0.1:8081/apis/ccompat/v7';

describe('schema registry settings', () => {
  it('default to the embedded registry and no subject prefix, so `npm start` needs no server', () => {
    const config = loadConfig({});
    expect(config.schemaRegistry).toEqual({ kind: 'embedded' });
    expect(config.schemaSubjectPrefix).toBe('');
  });

  it('stay embedded when only the URL is set (scripts/services exports it for the tests)', () => {
    expect(loadConfig({ SCHEMA_REGISTRY_URL: URL_ }).schemaRegistry).toEqual({ kind: 'embedded' });
  });

  it('select a Confluent-compatible registry, keeping the path prefix of the URL', () => {
    expect(loadConfig({ SCHEMA_REGISTRY: 'confluent', SCHEMA_REGISTRY_URL: URL_ }).schemaRegistry).toEqual({
      kind: 'confluent',
      url: URL_,
      timeoutMs: 5000,
    });
    const tuned = loadConfig({
      SCHEMA_REGISTRY: 'confluent',
      SCHEMA_REGISTRY_URL: 'https://registry.example.org',
      SCHEMA_REGISTRY_TIMEOUT_MS: '250',
      SCHEMA_SUBJECT_PREFIX: 'staging.',
    });
    expect(tuned.schemaRegistry).toEqual({ kind: 'confluent', url: 'https://registry.example.org', timeoutMs: 250 });
    expect(tuned.schemaSubjectPrefix).toBe('staging.');
  });

  it('require the URL when the registry is confluent', () => {
    expect(problemsOf({ SCHEMA_REGISTRY: 'confluent' })).toEqual([
      'SCHEMA_REGISTRY_URL: required when SCHEMA_REGISTRY=confluent',
    ]);
  });

  it.each([
    ['not a URL', 'registry 8081', /http:\/\/ or https:\/\//],
    ['another scheme', 'ftp://127.0.0.1:8081', /http:\/\/ or https:\/\//],
    ['credentials, which would end up in logs', 'http://user:secret@127.0.0.1:8081', /credentials/],
  ])('refuse a URL with %s, naming the setting', (_case, value, message) => {
    const problems = problemsOf({ SCHEMA_REGISTRY: 'confluent', SCHEMA_REGISTRY_URL: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SCHEMA_REGISTRY_URL: /);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain('secret');
  });

  it('refuse an unknown registry kind, a bad timeout and a prefix with characters subjects should not have', () => {
    expect(problemsOf({ SCHEMA_REGISTRY: 'karapace' })[0]).toMatch(/^SCHEMA_REGISTRY: /);
    expect(problemsOf({ SCHEMA_REGISTRY_TIMEOUT_MS: '0' })[0]).toMatch(/^SCHEMA_REGISTRY_TIMEOUT_MS: /);
    expect(problemsOf({ SCHEMA_SUBJECT_PREFIX: 'a/b' })[0]).toMatch(/^SCHEMA_SUBJECT_PREFIX: /);
  });

  it('are documented settings', () => {
    expect(CONFIG_KEYS).toEqual(
      expect.arrayContaining([
        'SCHEMA_REGISTRY',
        'SCHEMA_REGISTRY_URL',
        'SCHEMA_REGISTRY_TIMEOUT_MS',
        'SCHEMA_SUBJECT_PREFIX',
      ]),
    );
  });
});
