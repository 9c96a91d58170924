// `chat users grant|revoke|erase|show`: admin actions on accounts, run against the configured log. Embedded, that is
// DATA_DIR's SQLite files, safe while the server runs (the log's expected-version check is one transaction; the
// server picks the events up by polling). On Kafka, the commands go through the command processor like any other.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { CLI_ADMINISTRATOR, USER_ROLES, type UserAdministration, type UserSummary } from '../commands/user/userAdministration.js';
import { buildContainer } from '../composition/container.js';
import { userAdministrationOf } from '../composition/privacyBindings.js';
import { ConfigError, loadConfig, type AppConfig } from '../config/config.js';
import { ChatError } from '../domain/errors.js';
import type { UserRole } from '../events/chatEvents.js';

interface CommonOptions {
  dataDir?: string;
  json?: boolean;
}

/** Refused input exits 2, a user that does not exist 3, anything else 1. */
const EXIT = { refused: 2, noUser: 3, failed: 1 } as const;

export function registerUsersCommand(program: Command): void {
  const users = program
    .command('users')
    .description("admin actions on accounts: roles, erasure of a user's personal data")
    // A usage error (a missing argument, an unknown flag) exits 2 like refused input; help exits 0. Inherited by
    // the subcommands below.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT.refused));
  const common = (command: Command): Command =>
    command
      .option('-d, --data-dir <dir>', 'data directory (overrides DATA_DIR)')
      .option('--json', 'print the outcome as one JSON object');

  common(
    users
      .command('grant')
      .argument('<user>', 'user id or username')
      .argument('<role>', `one of ${USER_ROLES.join(', ')}`)
      .description("set a user's service-wide role; their next login or token refresh carries it"),
  ).action((user: string, role: string, options: CommonOptions) =>
    run(options, async (admin) => {
      const outcome = await admin.grant(CLI_ADMINISTRATOR, user, roleOf(role));
      return {
        text: outcome.changed
          ? `${describe(outcome.user)} now has role ${outcome.user.role} (tokens issued before keep their role until they expire)`
          : `${describe(outcome.user)} already has role ${outcome.user.role}; nothing changed`,
        json: { ...outcome.user, changed: outcome.changed },
      };
    }),
  );

  common(
    users
      .command('revoke')
      .argument('<user>', 'user id or username')
      .argument('<role>', `the role to take away: ${USER_ROLES.filter((r) => r !== 'user').join(', ')}`)
      .description("take a role away from a user (back to `user`)"),
  ).action((user: string, role: string, options: CommonOptions) =>
    run(options, async (admin) => {
      const revoked = roleOf(role);
      const outcome = await admin.revoke(CLI_ADMINISTRATOR, user, revoked);
      return {
        text: outcome.changed
          ? `${describe(outcome.user)} no longer has role ${revoked}; role is now user`
          : `${describe(outcome.user)} does not hold role ${revoked} (role ${outcome.user.role}); nothing changed`,
        json: { ...outcome.user, changed: outcome.changed },
      };
    }),
  );

  common(
    users
      .command('erase')
      .argument('<user>', 'user id or username')
      .description(
        "erase a user's personal data for good (crypto-shredding): destroys their key, so every message text and " +
          'the email they gave read as erased everywhere; the log itself and its hash chains stay intact',
      ),
  ).action((user: string, options: CommonOptions) =>
    run(options, async (admin) => {
      const outcome = await admin.erase(CLI_ADMINISTRATOR, user);
      const already = !outcome.keyDestroyed && !outcome.recorded;
      return {
        text: already
          ? `${describe(outcome.user)} was already erased; nothing changed`
          : `${describe(outcome.user)}: personal data key destroyed; their message texts and email now read as erased`,
        json: { ...outcome.user, keyDestroyed: outcome.keyDestroyed, recorded: outcome.recorded },
      };
    }),
  );

  common(
    users.command('show').argument('<user>', 'user id or username').description("a user's id, username, role and erasure"),
  ).action((user: string, options: CommonOptions) =>
    run(options, async (admin) => {
      const found = await admin.findUser(user);
      return { text: `${describe(found)}: role ${found.role}${found.erased ? ', personal data erased' : ''}`, json: found };
    }),
  );
}

function roleOf(value: string): UserRole {
  const role = USER_ROLES.find((candidate) => candidate === value);
  if (role === undefined) throw new RefusedInput(`unknown role ${JSON.stringify(value)}; one of ${USER_ROLES.join(', ')}`);
  return role;
}

function describe(user: UserSummary): string {
  return `${user.username} (${user.userId})`;
}

class RefusedInput extends Error {}

async function run(
  options: CommonOptions,
  action: (admin: UserAdministration) => Promise<{ text: string; json: object }>,
): Promise<void> {
  let cleanUp = (): void => undefined;
  try {
    const loaded = loadConfig({ ...process.env, ...(options.dataDir !== undefined ? { DATA_DIR: options.dataDir } : {}) });
    const { config, removeIndex } = withOwnKafkaIndex(loaded);
    cleanUp = removeIndex;
    // Logs go to stderr at error level unless LOG_LEVEL says otherwise: stdout carries the outcome.
    const logger = pino({ level: process.env.LOG_LEVEL === undefined ? 'error' : config.logLevel }, pino.destination(2));
    const container = buildContainer(config, logger);
    try {
      const outcome = await action(await userAdministrationOf(container));
      process.stdout.write(options.json === true ? `${JSON.stringify(outcome.json)}\n` : `${outcome.text}\n`);
    } finally {
      await container.unbindAll();
    }
  } catch (error) {
    process.exitCode = report(error);
  } finally {
    cleanUp();
  }
}

function report(error: unknown): number {
  if (error instanceof RefusedInput || error instanceof ConfigError) {
    console.error(`chat users: ${error.message}`);
    return EXIT.refused;
  }
  if (error instanceof ChatError) {
    console.error(`chat users: ${error.message} (${error.code})`);
    if (error.code === 'NO_USER') return EXIT.noUser;
    return error.code === 'VALIDATION_FAILED' || error.code === 'FORBIDDEN' ? EXIT.refused : EXIT.failed;
  }
  console.error(`chat users: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.failed;
}

/**
 * On Kafka the log reads through a local index: the command line builds its own in a temporary directory rather
 * than share (and race with) the index of a server on the same DATA_DIR.
 */
export function withOwnKafkaIndex(config: AppConfig): { config: AppConfig; removeIndex: () => void } {
  if (config.eventLog !== 'kafka' || config.kafka === undefined) return { config, removeIndex: () => undefined };
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-users-index-'));
  return {
    config: { ...config, kafka: { ...config.kafka, indexFile: path.join(dir, 'index.db') } },
    removeIndex: () => rmSync(dir, { recursive: true, force: true }),
  };
}
