#!/usr/bin/env node
// A process that runs the Kafka command processor and nothing else, configured from the environment like
// `chat serve` (EVENT_LOG=kafka, KAFKA_*, SCHEMA_REGISTRY*, DATA_DIR for its index). `chat serve --roles
// command-processor` does the same inside the role runner; this entry has no HTTP port at all, which keeps the
// processor's own tests (several of them, one SIGKILLed under load) free of everything else.
//
//   EVENT_LOG=kafka KAFKA_BROKERS=127.0.0.1:9092 node --import tsx src/cli/processorProcess.ts

import 'reflect-metadata';
import { pino } from 'pino';
import { buildContainer, get } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { ConfigError, loadConfig } from '../config/config.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel });
  if (config.eventLog !== 'kafka') throw new ConfigError(['EVENT_LOG: the command processor runs on the Kafka log only (EVENT_LOG=kafka)']);
  const container = buildContainer(config, logger);
  const processor = await get(container, TOKENS.commandProcessor);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'command processor stopping');
    await processor.stop();
    await container.unbindAll();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await processor.start();
  logger.info({ pid: process.pid }, 'command processor ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
