// What the analyst commands (chat events …, chat projections …) share: flag errors exit 2, logs go to stderr (stdout
// carries their data), and the configuration is the service's own, so they read the same composed adapters.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { AnalysisError } from '../analysis/replayErrors.js';
import { ConfigError, loadConfig, type AppConfig } from '../config/config.js';

/** Usage errors (an unknown flag, a missing argument) exit 2 like a refused value; help and version exit 0. */
export function exitTwoOnUsageErrors(command: Command): Command {
  return command.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
}

export function loadToolConfig(dataDir: string | undefined): AppConfig {
  return loadConfig({ ...process.env, ...(dataDir !== undefined ? { DATA_DIR: dataDir } : {}) });
}

/** Errors only unless LOG_LEVEL asks for more: a tool's stderr is for its progress and summary. */
export function toolLogger(config: AppConfig): Logger {
  const level = process.env.LOG_LEVEL === undefined ? 'error' : config.logLevel;
  return pino({ level, base: { service: 'chat' } }, pino.destination(2));
}

/** Runs a tool's action: refused input (a flag, the configuration) exits 2 with its message, anything else 1. */
export async function runTool(name: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof AnalysisError || error instanceof ConfigError) {
      console.error(`${name}: ${error.message}${error instanceof AnalysisError ? ` (${error.code})` : ''}`);
      process.exit(2);
    }
    console.error(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  }
}

/**
 * In Kafka mode the log reads through a local index; a tool builds its own from the topic in a temporary
 * directory, so it never writes to (or races with) the index of a server running on the same DATA_DIR.
 */
export function withPrivateKafkaIndex(config: AppConfig): { config: AppConfig; cleanUp: () => void } {
  if (config.eventLog !== 'kafka' || config.kafka === undefined) return { config, cleanUp: () => undefined };
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-tool-index-'));
  return {
    config: { ...config, kafka: { ...config.kafka, indexFile: path.join(dir, 'index.db') } },
    cleanUp: () => rmSync(dir, { recursive: true, force: true }),
  };
}
