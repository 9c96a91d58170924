// `chat assistants create|configure|show` (issue #19): the admin use cases on assistants, as the command line's
// `system:cli` admin, against the configured log (the same use cases as /api/admin/assistants). Like `chat users`,
// safe while the server runs: the server's projector and responder pick the events up from the log.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { pino } from 'pino';
import type { AssistantAdministration, AssistantView } from '../assistants/assistantAdministration.js';
import { CLI_ADMINISTRATOR } from '../commands/user/userAdministration.js';
import { assistantAdministrationOf } from '../composition/assistantBindings.js';
import { buildContainer } from '../composition/container.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { ChatError } from '../domain/errors.js';
import { withOwnKafkaIndex } from './usersCommand.js';

interface Options {
  dataDir?: string;
  json?: boolean;
  prompt?: string;
  promptFile?: string;
  model?: string;
  rooms?: string;
  displayName?: string;
}

/** Refused input exits 2, an account that does not exist (or is no assistant) 3, anything else 1. */
const EXIT = { refused: 2, notFound: 3, failed: 1 } as const;

export function registerAssistantsCommand(program: Command): void {
  const assistants = program
    .command('assistants')
    .description('admin actions on assistants: accounts that answer in rooms through an OpenAI-compatible model')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT.refused));
  const common = (command: Command): Command =>
    command
      .option('-d, --data-dir <dir>', 'data directory (overrides DATA_DIR)')
      .option('--json', 'print the assistant as one JSON object');
  const configOptions = (command: Command): Command =>
    command
      .option('--prompt <text>', 'the system prompt')
      .option('--prompt-file <path>', 'read the system prompt from a file')
      .option('--model <name>', 'the model at the provider ("" for ASSISTANT_MODEL)')
      .option('--rooms <ids>', 'comma-separated room ids it answers in ("" for every room it is a member of)');

  common(
    configOptions(
      assistants
        .command('create')
        .argument('<username>', "the assistant's username (members mention it as @username)")
        .option('--display-name <name>', 'its display name (default: the username)')
        .description('create an assistant account; add it to rooms as a member to have it answer there'),
    ),
  ).action((username: string, options: Options) =>
    run(options, async (admin) => {
      const systemPrompt = promptOf(options);
      if (systemPrompt === undefined) throw new RefusedInput('a system prompt is needed: --prompt or --prompt-file');
      const created = await admin.create(
        CLI_ADMINISTRATOR,
        {
          username,
          systemPrompt,
          ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
          ...(options.model === undefined ? {} : { model: options.model }),
          ...(options.rooms === undefined ? {} : { allowedRoomIds: roomsOf(options.rooms) }),
        },
        'cli',
      );
      return created;
    }),
  );

  common(
    configOptions(
      assistants
        .command('configure')
        .argument('<userId>', "the assistant's user id")
        .description("change an assistant's system prompt, model or rooms; options left out keep their value"),
    ),
  ).action((userId: string, options: Options) =>
    run(options, async (admin) => {
      const systemPrompt = promptOf(options);
      return admin.update(
        CLI_ADMINISTRATOR,
        userId,
        {
          ...(systemPrompt === undefined ? {} : { systemPrompt }),
          ...(options.model === undefined ? {} : { model: options.model }),
          ...(options.rooms === undefined ? {} : { allowedRoomIds: roomsOf(options.rooms) }),
        },
        'cli',
      );
    }),
  );

  common(assistants.command('show').argument('<userId>', "the assistant's user id").description("an assistant's configuration")).action(
    (userId: string, options: Options) => run(options, (admin) => admin.get(userId)),
  );
}

class RefusedInput extends Error {}

function promptOf(options: Options): string | undefined {
  if (options.prompt !== undefined && options.promptFile !== undefined) throw new RefusedInput('give --prompt or --prompt-file, not both');
  if (options.promptFile !== undefined) return readFileSync(options.promptFile, 'utf8');
  return options.prompt;
}

function roomsOf(value: string): string[] {
  return value
    .split(',')
    .map((roomId) => roomId.trim())
    .filter((roomId) => roomId.length > 0);
}

function describe(assistant: AssistantView): string {
  const rooms = assistant.allowedRoomIds.length === 0 ? 'every room it is a member of' : assistant.allowedRoomIds.join(', ');
  return `${assistant.username} (${assistant.userId}): assistant, model ${assistant.effectiveModel}, answers in ${rooms}`;
}

async function run(options: Options, action: (admin: AssistantAdministration) => Promise<AssistantView>): Promise<void> {
  let cleanUp = (): void => undefined;
  try {
    const loaded = loadConfig({ ...process.env, ...(options.dataDir !== undefined ? { DATA_DIR: options.dataDir } : {}) });
    const { config, removeIndex } = withOwnKafkaIndex(loaded);
    cleanUp = removeIndex;
    const logger = pino({ level: process.env.LOG_LEVEL === undefined ? 'error' : config.logLevel }, pino.destination(2));
    const container = buildContainer(config, logger);
    try {
      const assistant = await action(await assistantAdministrationOf(container));
      process.stdout.write(options.json === true ? `${JSON.stringify(assistant)}\n` : `${describe(assistant)}\n`);
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
    console.error(`chat assistants: ${error.message}`);
    return EXIT.refused;
  }
  if (error instanceof ChatError) {
    console.error(`chat assistants: ${error.message} (${error.code})`);
    if (error.code === 'NO_USER' || error.code === 'NOT_ASSISTANT') return EXIT.notFound;
    return ['VALIDATION_FAILED', 'FORBIDDEN', 'USERNAME_TAKEN'].includes(error.code) ? EXIT.refused : EXIT.failed;
  }
  console.error(`chat assistants: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.failed;
}
