// `chat audit verify` and `chat audit export`: the auditor's tools (issue #7, docs/auditors.md).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { AuditToolError } from '../audit/auditErrors.js';
import { describeBrokenLink, type VerifyResult } from '../audit/chainVerifier.js';
import { chainFieldsThrough, storedEventReaderOf } from '../audit/storedEventReaders.js';
import { verifyLog } from '../audit/verifyLog.js';
import { eventView, exportRoom } from '../audit/complianceExport.js';
import { verifyExport } from '../audit/exportVerifier.js';
import { auditDecoder } from '../composition/auditBindings.js';
import type { RecordedEvent } from '../events/envelope.js';
import { buildContainer, get } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import type { StoredEvent, StoredEventReader } from '../eventlog/storedEventReader.js';
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
  audit
    .command('export')
    .description(
      "write one room's events in a time range as JSON Lines (stored bytes and decoded) plus manifest.json with " +
        'counts and both ends of the hash chain; `chat audit verify --export <dir>` checks it later',
    )
    .requiredOption('--room <roomId>', 'the room')
    .requiredOption('--from <time>', 'ISO-8601 start, inclusive (UTC unless a zone is given)')
    .requiredOption('--to <time>', 'ISO-8601 end, exclusive')
    .requiredOption('-o, --output <dir>', 'directory to create (or an empty one)')
    .option('-d, --data-dir <dir>', 'data directory (overrides DATA_DIR)')
    .action((flags: ExportFlags) => runAuditTool('chat audit export', () => exportCommand(flags, toolVersion)));
}

interface ExportFlags {
  room: string;
  from: string;
  to: string;
  output: string;
  dataDir?: string;
}

async function exportCommand(flags: ExportFlags, toolVersion: string): Promise<number> {
  const from = parseTime('--from', flags.from);
  const to = parseTime('--to', flags.to);
  if (!(from < to)) throw new AuditToolError('OPTION_INVALID', '--from must be before --to');
  if (flags.room.trim() === '') throw new AuditToolError('OPTION_INVALID', '--room: must be a room id');
  return withAuditedLog(flags.dataDir, async ({ reader, decode, schemaText }) => {
    const manifest = await exportRoom(
      { roomId: flags.room, from, to, outputDir: flags.output },
      { reader, decode, schemaText, toolVersion, now: () => Date.now() },
    );
    process.stdout.write(
      `exported ${manifest.counts.total} events of ${manifest.streamId}` +
        (manifest.firstVersion === null ? '' : ` (versions ${manifest.firstVersion}..${String(manifest.lastVersion)})`) +
        ` to ${flags.output}; final hash ${manifest.finalHash ?? 'none'}\n`,
    );
    return 0;
  });
}

function parseTime(flag: string, value: string): number {
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new AuditToolError('OPTION_INVALID', `${flag}: ${JSON.stringify(value)} is not an ISO-8601 time`);
  return at;
}

async function verifyExportCommand(target: string, dataDir: string | undefined): Promise<number> {
  const result = await withServiceDecoder(dataDir, (decode) =>
    verifyExport(target, decode === undefined ? {} : { viewOf: async (body, at) => eventView(await decode({ ...at, streamId: '', streamVersion: 0, body })) }),
  );
  if (!result.ok) {
    const where = result.problem.line === undefined ? '' : `line ${result.problem.line}: `;
    process.stdout.write(`BROKEN: export ${target}: ${where}${result.problem.message}\n`);
    return 1;
  }
  const { manifest } = result;
  process.stdout.write(
    `OK: export of ${manifest.streamId}: ${manifest.counts.total} events` +
      (manifest.firstVersion === null ? '' : `, versions ${manifest.firstVersion}..${String(manifest.lastVersion)}`) +
      `, chain from ${manifest.anchorHash ?? 'none'} to ${manifest.finalHash ?? 'none'} complete and unaltered` +
      (result.viewChecked ? '' : " (no service data here: decoded views checked on the bodies' clear fields only)") +
      '\n',
  );
  return 0;
}

/**
 * The service's decoder (codec and personal data keys) when its data is here, so an export's decoded views can be
 * checked whole; undefined elsewhere (an auditor's own machine), where the stored bodies still prove the chain.
 */
async function withServiceDecoder<T extends { ok: boolean }>(
  dataDir: string | undefined,
  use: (decode: ((stored: StoredEvent) => Promise<RecordedEvent>) | undefined) => Promise<T>,
): Promise<T & { viewChecked: boolean }> {
  const config = loadConfig({ ...process.env, ...(dataDir !== undefined ? { DATA_DIR: dataDir } : {}) });
  if (config.eventLog === 'sqlite' && !existsSync(path.join(config.dataDir, 'events.db'))) {
    return { ...(await use(undefined)), viewChecked: false };
  }
  const logger = pino({ level: process.env.LOG_LEVEL === undefined ? 'error' : config.logLevel }, pino.destination(2));
  const container = buildContainer(config, logger);
  try {
    return { ...(await use(await auditDecoder(container))), viewChecked: true };
  } finally {
    await container.unbindAll();
  }
}

async function verifyCommand(flags: VerifyFlags): Promise<number> {
  if (flags.stream !== undefined && flags.stream.trim() === '') {
    throw new AuditToolError('OPTION_INVALID', '--stream: must be a stream id such as room-<id>');
  }
  if (flags.export !== undefined) {
    if (flags.stream !== undefined) throw new AuditToolError('OPTION_INVALID', '--export and --stream cannot be combined');
    return verifyExportCommand(flags.export, flags.dataDir);
  }
  return withAuditedLog(flags.dataDir, async ({ reader, codec }) => {
    const result = await verifyLog(reader, chainFieldsThrough(codec), flags.stream === undefined ? {} : { streamId: flags.stream });
    const code = report(result, flags.stream === undefined ? 'the event log' : `stream ${flags.stream}`);
    if (result.head !== undefined) process.stdout.write(`head: version ${result.head.version}, hash ${result.head.hash}\n`);
    return code;
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
  decode: (stored: StoredEvent) => Promise<RecordedEvent>;
  schemaText: (schemaId: number) => Promise<string>;
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
    const registry = await get(container, TOKENS.schemaRegistry);
    return await use({
      reader,
      codec,
      decode: await auditDecoder(container),
      schemaText: (schemaId) => registry.getSchema(schemaId),
    });
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
