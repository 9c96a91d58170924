// `chat users grant|revoke|erase|show`: admin actions on accounts, run against the configured log. Embedded, that is
// DATA_DIR's SQLite files, safe while the server runs (the log's expected-version check is one transaction; the
// server picks the events up by polling). On Kafka, the commands go through the command processor like any other.

import type { Command } from 'commander';
import { CLI_ADMINISTRATOR, USER_ROLES, type UserAdministration, type UserSummary } from '../commands/user/userAdministration.js';
import { userAdministrationOf } from '../composition/privacyBindings.js';
import type { UserRole } from '../events/chatEvents.js';
import { ADMIN_EXIT, RefusedInput, runAdminCommand, type AdminCommand, type AdminOptions, type AdminOutcome } from './adminSupport.js';

export function registerUsersCommand(program: Command): void {
  const users = program
    .command('users')
    .description("admin actions on accounts: roles, erasure of a user's personal data")
    // A usage error (a missing argument, an unknown flag) exits 2 like refused input; help exits 0. Inherited by
    // the subcommands below.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : ADMIN_EXIT.refused));
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
  ).action((user: string, role: string, options: AdminOptions) =>
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
  ).action((user: string, role: string, options: AdminOptions) =>
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
  ).action((user: string, options: AdminOptions) =>
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
  ).action((user: string, options: AdminOptions) =>
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

const USERS: AdminCommand<UserAdministration> = {
  name: 'chat users',
  administrationOf: userAdministrationOf,
  notFound: ['NO_USER'],
  refused: ['VALIDATION_FAILED', 'FORBIDDEN'],
};

function run(options: AdminOptions, action: (admin: UserAdministration) => Promise<AdminOutcome>): Promise<void> {
  return runAdminCommand(USERS, options, action);
}
