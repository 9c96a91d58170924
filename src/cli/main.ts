#!/usr/bin/env node
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config/config.js';
import { ChatServer } from '../server.js';
import { migrateOracle } from '../projections/history/oracle/openOracleHistoryStore.js';
import { registerAuditCommand } from './auditCommand.js';
import { registerUsersCommand } from './usersCommand.js';
import { registerAssistantsCommand } from './assistantsCommand.js';
import { registerEventsCommand } from './eventsCommand.js';
import { registerProjectionsCommand } from './projectionsCommand.js';
import { applyGcTuning } from './gcTuning.js';

const packageJson: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const version =
  typeof packageJson === 'object' && packageJson !== null && 'version' in packageJson && typeof packageJson.version === 'string'
    ? packageJson.version
    : '0.0.0';

const program = new Command('chat').description('Event-sourced CQRS chat service').version(version);

program
  .command('serve')
  .description(
    'run the service: every role in one process by default (embedded mode: SQLite log and history under DATA_DIR), ' +
      'or the roles named by --roles / ROLES (distributed mode, EVENT_LOG=kafka)',
  )
  .option('-p, --port <port>', 'port to listen on (overrides PORT)')
  .option('-d, --data-dir <dir>', 'data directory (overrides DATA_DIR)')
  .option(
    '-r, --roles <roles>',
    'comma-separated roles of this process (overrides ROLES): api, gateway, command-processor, projector:history, ' +
      'projector:analytics, or all',
  )
  .action(async (options: { port?: string; dataDir?: string; roles?: string }) => {
    const config = loadConfig({
      ...process.env,
      ...(options.port !== undefined ? { PORT: options.port } : {}),
      ...(options.dataDir !== undefined ? { DATA_DIR: options.dataDir } : {}),
      ...(options.roles !== undefined ? { ROLES: options.roles } : {}),
    });
    const logger = pino({ level: config.logLevel, base: { service: 'chat' } });
    logger.info(applyGcTuning(config.gcParallelScavenge), 'garbage collector tuned (GC_PARALLEL_SCAVENGE)');
    // Handlers go in before start-up: until a handler exists the signal's default action ends the process at once,
    // also right after it said it was listening. A signal during start-up stops once the start is over (the pieces
    // being started cannot be cut off half way); a second one there exits at once.
    let server: ChatServer | undefined = undefined;
    let stopping = false;
    const stop = (running: ChatServer) =>
      running.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    const shutdown = (signal: string) => {
      if (stopping && server === undefined) {
        logger.warn({ signal }, 'second signal during start-up: exiting at once');
        process.exit(1);
      }
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, server === undefined ? 'shutting down once start-up is over' : 'shutting down');
      if (server !== undefined) void stop(server);
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    server = await ChatServer.start(config, logger, version);
    if (stopping) await stop(server);
  });

program
  .command('migrate')
  .description('apply the pending migrations of the Oracle history schema (HISTORY_STORE=oracle), then exit')
  .action(async () => {
    const config = loadConfig(process.env);
    if (config.oracle === undefined) {
      console.error('chat migrate: HISTORY_STORE is not oracle; the SQLite store creates its tables by itself');
      process.exit(2);
    }
    const applied = await migrateOracle(config.oracle);
    process.stdout.write(applied.length === 0 ? 'schema is current\n' : `applied migrations ${applied.join(', ')}\n`);
  });

registerEventsCommand(program);
registerProjectionsCommand(program);

registerAuditCommand(program, version);

registerUsersCommand(program);
registerAssistantsCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
