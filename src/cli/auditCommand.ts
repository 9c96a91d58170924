// `chat audit verify` and `chat audit export`: the auditor's tools (issue #7, README "For auditors").

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { AuditToolError } from '../audit/auditErrors.js';
import { describeBrokenLink, type VerifyResult } from '../audit/chainVerifier.js';
import { chainFieldsThrough, storedEventReaderOf } from '../audit/storedEventReaders.js';
import { verifyLog } from '../audit/verifyLog.js';
import { buildContainer, get } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import type { StoredEventReader } from '../eventlog/storedEventReader.js';
import type { EventCodec } from '../events/eventCodec.js';
import { pino } from 'pino';

interface VerifyFlags {
  stream?: string;
  export?: string;
  dataDir?: string;
}

export function registerAuditCommand(program: Command, toolVersion: string): void {
  const audit = program
    .command('audit')
    .description('verify and export the tamper-evident event log (auditors)')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  audit
    .command('verify')
    .description(
      "recompute every stream's hash chain from the stored bytes (or one stream's, or an export's); " +
        'prints OK with counts, or names the first broken link and exits 1',
    )
    .option('--stream <streamId>', 'only this stream (e.g. room-<id>)')
    .option('--export <path>', 'verify an export made by `chat audit export` (its directory or manifest.json) instead of the log')
    .option('-d, --data-dir <dir>', 'data directory (overrides DATA_DIR)')
    .action((flags: VerifyFlags) => runAuditTool('chat audit verify', () => verifyCommand(flags)));
  void toolVersion;
}

async function verifyCommand(flags: VerifyFlags): Promise<number> {
  if (flags.stream !== undefined && flags.stream.trim() === '') {
    throw new AuditToolError('OPTION_INVALID', '--stream: must be a stream id such as room-<id>');
  }
  return withAuditedLog(flags.dataDir, async ({ reader, codec }) => {
    const result = await verifyLog(reader, chainFieldsThrough(codec), flags.stream === undefined ? {} : { streamId: flags.stream });
    return report(result, flags.stream === undefined ? 'the event log' : `stream ${flags.stream}`);
  });
}

function report(result: VerifyResult, what: string): number {
  const { counts } = result;
  if (!result.ok) {
    process.stdout.write(`BROKEN: ${describeBrokenLink(result.broken)}\n`);
    process.stdout.write(`(${counts.events} events of ${counts.streams} streams verified before it)\n`);
    return 1;
  }
  if (counts.events === 0) {
    process.stdout.write(`OK: ${what} holds no events\n`);
    return 0;
  }
  const unchained = counts.unchained === 0 ? '' : `, ${counts.unchained} written before hash chains (not chained)`;
  process.stdout.write(
    `OK: ${what}: ${counts.streams} stream${counts.streams === 1 ? '' : 's'}, ${counts.events} events verified ` +
      `(${counts.chained} chained${unchained})\n`,
  );
  return 0;
}

interface AuditedLog {
  reader: StoredEventReader;
  codec: EventCodec;
}

/** Opens the service's log and codec as configured (DATA_DIR, EVENT_LOG, ...), runs `use`, closes everything. */
async function withAuditedLog(dataDir: string | undefined, use: (log: AuditedLog) => Promise<number>): Promise<number> {
  const config = loadConfig({ ...process.env, ...(dataDir !== undefined ? { DATA_DIR: dataDir } : {}) });
  if (config.eventLog === 'sqlite' && !existsSync(path.join(config.dataDir, 'events.db'))) {
    throw new AuditToolError('NO_EVENT_LOG', `no event log at ${path.join(config.dataDir, 'events.db')} (check --data-dir or DATA_DIR)`);
  }
  const logger = pino({ level: process.env.LOG_LEVEL === undefined ? 'error' : config.logLevel }, pino.destination(2));
  const container = buildContainer(config, logger);
  const indexDir = config.eventLog === 'kafka' ? mkdtempSync(path.join(tmpdir(), 'chat-audit-index-')) : undefined;
  let kafkaLog: KafkaEventLog | undefined;
  try {
    const codec = await get(container, TOKENS.codec);
    let reader: StoredEventReader;
    if (config.kafka !== undefined && indexDir !== undefined) {
      // An index of the tool's own, built from the topic in a temporary directory: it never writes to (or races
      // with) the index of a server on the same DATA_DIR, and what is verified is what the topic holds.
      kafkaLog = await KafkaEventLog.open({
        brokers: config.kafka.brokers,
        clientId: `${config.kafka.clientId}-audit`,
        topic: config.kafka.eventsTopic,
        partitions: config.kafka.partitions,
        replicationFactor: config.kafka.replicationFactor,
        codec,
        refreshCodec: () => codec.refresh(),
        indexFile: path.join(indexDir, 'index.db'),
        logger,
      });
      // Catches the index up with everything the topic holds now.
      await kafkaLog.headPosition();
      reader = kafkaLog;
    } else {
      const log = await get(container, TOKENS.eventLog);
      const stored = storedEventReaderOf(log);
      if (stored === undefined) throw new AuditToolError('NO_EVENT_LOG', 'this event log cannot read its stored bytes');
      reader = stored;
    }
    return await use({ reader, codec });
  } finally {
    await kafkaLog?.close();
    await container.unbindAll();
    if (indexDir !== undefined) rmSync(indexDir, { recursive: true, force: true });
  }
}

/** Refused input exits 2 with its code, a broken chain 1 (the action's result), anything unexpected 1. */
async function runAuditTool(name: string, action: () => Promise<number>): Promise<void> {
  let exitCode: number;
  try {
    exitCode = await action();
  } catch (error) {
    if (error instanceof AuditToolError || error instanceof ConfigError) {
      console.error(`${name}: ${error.message}${error instanceof AuditToolError ? ` (${error.code})` : ''}`);
      process.exit(2);
    }
    console.error(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  }
  process.exit(exitCode);
}
