// `chat assistants create|configure|show` (issue #19): the admin use cases on assistants, as the command line's
// `system:cli` admin, against the configured log (the same use cases as /api/admin/assistants). Like `chat users`,
// safe while the server runs: the server's projector and responder pick the events up from the log.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AssistantAdministration, AssistantView } from '../assistants/assistantAdministration.js';
import { CLI_ADMINISTRATOR } from '../commands/user/userAdministration.js';
import { assistantAdministrationOf } from '../composition/assistantBindings.js';
import { ADMIN_EXIT, RefusedInput, runAdminCommand, type AdminCommand, type AdminOptions } from './adminSupport.js';

interface Options extends AdminOptions {
  prompt?: string;
  promptFile?: string;
  model?: string;
  rooms?: string;
  displayName?: string;
}

export function registerAssistantsCommand(program: Command): void {
  const assistants = program
    .command('assistants')
    .description('admin actions on assistants: accounts that answer in rooms through an OpenAI-compatible model')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : ADMIN_EXIT.refused));
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

const ASSISTANTS: AdminCommand<AssistantAdministration> = {
  name: 'chat assistants',
  administrationOf: assistantAdministrationOf,
  notFound: ['NO_USER', 'NOT_ASSISTANT'],
  refused: ['VALIDATION_FAILED', 'FORBIDDEN', 'USERNAME_TAKEN'],
};

/** Every assistant command prints the assistant as it is afterwards. */
function run(options: Options, action: (admin: AssistantAdministration) => Promise<AssistantView>): Promise<void> {
  return runAdminCommand(ASSISTANTS, options, async (admin) => {
    const assistant = await action(admin);
    return { text: describe(assistant), json: assistant };
  });
}
