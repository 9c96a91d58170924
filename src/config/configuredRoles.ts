import { ConfigError } from './configError.js';
import type { RawConfig } from './configSchema.js';
import { ALL_ROLES_ALIAS, parseRoles, ROLE_NAMES, runsAllRoles, type Role } from './roleNames.js';

/**
 * ROLES, validated. A process that runs only some roles shares the log with the others, so it needs the Kafka log:
 * the SQLite log is one process's file, and a second process on it would be a second writer nobody else reads.
 */
export function configuredRoles(raw: RawConfig): Role[] {
  if (raw.ROLES === undefined) return [...ROLE_NAMES];
  const parsed = parseRoles(raw.ROLES);
  const known = `known roles: ${ROLE_NAMES.join(', ')} (or ${ALL_ROLES_ALIAS})`;
  if (!parsed.ok) {
    throw new ConfigError([
      'unknown' in parsed
        ? `ROLES: unknown role${parsed.unknown.length > 1 ? 's' : ''} ${parsed.unknown.map((name) => JSON.stringify(name)).join(', ')}; ${known}`
        : `ROLES: names no role; ${known}`,
    ]);
  }
  if (runsAllRoles(parsed.roles)) return parsed.roles;
  if (raw.EVENT_LOG !== 'kafka') {
    throw new ConfigError([
      `ROLES: ${parsed.roles.join(',')} needs EVENT_LOG=kafka: the SQLite log is one process's file, so with ` +
        `EVENT_LOG=sqlite one process runs every role (leave ROLES unset)`,
    ]);
  }
  // Events name their schema by the id a registry handed out; processes with registries of their own would read
  // each other's events with the wrong schemas.
  if (raw.SCHEMA_REGISTRY !== 'confluent') {
    throw new ConfigError([
      `ROLES: ${parsed.roles.join(',')} needs SCHEMA_REGISTRY=confluent: processes that share the log must share ` +
        `one schema registry (the embedded one lives in each process's DATA_DIR)`,
    ]);
  }
  // Personal data in events is sealed with per-user keys: every process that reads or writes events needs them all.
  if (raw.PERSONAL_DATA_KEYS !== 'redis') {
    throw new ConfigError([
      `ROLES: ${parsed.roles.join(',')} needs PERSONAL_DATA_KEYS=redis: processes that share the log must share ` +
        `the keys personal data is sealed with (the sqlite store lives in each process's DATA_DIR)`,
    ]);
  }
  return parsed.roles;
}
