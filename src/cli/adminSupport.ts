// What the admin commands (chat users …, chat assistants …) share: the service's own configuration and composed
// adapters, the outcome on stdout (a line of text, or one JSON object with --json), logs on stderr, and exit codes
// that tell refused input (2) and an unknown account (3) from a failure (1).

import type { Container } from 'inversify';
import { buildContainer } from '../composition/container.js';
import { ConfigError } from '../config/config.js';
import { ChatError, type ErrorCode } from '../domain/errors.js';
import { loadToolConfig, toolLogger, withPrivateKafkaIndex } from './toolSupport.js';

export const ADMIN_EXIT = { failed: 1, refused: 2, notFound: 3 } as const;

/** A value given on the command line that cannot be taken (exit 2). */
export class RefusedInput extends Error {}

export interface AdminOptions {
  dataDir?: string;
  json?: boolean;
}

/** What a command prints: `text` by default, `json` with --json. */
export interface AdminOutcome {
  text: string;
  json: unknown;
}

export interface AdminCommand<A> {
  /** As the messages name it: "chat users". */
  name: string;
  /** The administration use cases, resolved from the composed container. */
  administrationOf(container: Container): Promise<A>;
  /** Error codes that mean "no such account" (exit 3) and refused input (exit 2); any other code exits 1. */
  notFound: readonly ErrorCode[];
  refused: readonly ErrorCode[];
}

/** Runs one admin action against the service's configuration and sets the exit code from its outcome. */
export async function runAdminCommand<A>(command: AdminCommand<A>, options: AdminOptions, action: (admin: A) => Promise<AdminOutcome>): Promise<void> {
  let cleanUp = (): void => undefined;
  try {
    const own = withPrivateKafkaIndex(loadToolConfig(options.dataDir));
    cleanUp = own.cleanUp;
    const container = buildContainer(own.config, toolLogger(own.config));
    try {
      const outcome = await action(await command.administrationOf(container));
      process.stdout.write(options.json === true ? `${JSON.stringify(outcome.json)}\n` : `${outcome.text}\n`);
    } finally {
      await container.unbindAll();
    }
  } catch (error) {
    process.exitCode = exitCodeOf(command, error);
  } finally {
    cleanUp();
  }
}

function exitCodeOf(command: AdminCommand<unknown>, error: unknown): number {
  if (error instanceof RefusedInput || error instanceof ConfigError) {
    console.error(`${command.name}: ${error.message}`);
    return ADMIN_EXIT.refused;
  }
  if (error instanceof ChatError) {
    console.error(`${command.name}: ${error.message} (${error.code})`);
    if (command.notFound.includes(error.code)) return ADMIN_EXIT.notFound;
    return command.refused.includes(error.code) ? ADMIN_EXIT.refused : ADMIN_EXIT.failed;
  }
  console.error(`${command.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ADMIN_EXIT.failed;
}
