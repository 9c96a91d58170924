// The replay measurement (not a test): seeds N events into a DATA_DIR (SQLite log) or a Kafka topic once, then
// `chat events replay` is timed on it.
//   npx tsx test/analysis/measureReplay.ts seed DATA_DIR [EVENTS]
//   npx tsx test/analysis/measureReplay.ts seed-sealed DATA_DIR [EVENTS]   (through the service's composed log, so
//     message texts and emails are sealed with per-user keys, as a running service stores them)
//   npx tsx test/analysis/measureReplay.ts seed-kafka DATA_DIR TOPIC [EVENTS]     (KAFKA_BROKERS set)
//   then: chat events replay --data-dir DATA_DIR > out.jsonl   (EVENT_LOG=kafka KAFKA_EVENTS_TOPIC=TOPIC for Kafka)
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { buildContainer, get } from '../../src/composition/container.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { KafkaEventLog } from '../../src/eventlog/kafka/kafkaEventLog.js';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import { generateLog, withSqliteLog } from './seedLog.js';

const [, , command, dataDir, ...rest] = process.argv;
const shape = { rooms: 200, users: 2000 };
const started = Date.now();
let written: number;
if (command === 'seed' && dataDir !== undefined) {
  written = await withSqliteLog(dataDir, (log) => generateLog(log, { ...shape, events: Number(rest[0] ?? 1_000_000) }));
} else if (command === 'seed-sealed' && dataDir !== undefined) {
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, EVENT_LOG: 'sqlite' });
  const container = buildContainer(config, pino({ level: 'error' }));
  try {
    written = await generateLog(await get(container, TOKENS.eventLog), { ...shape, events: Number(rest[0] ?? 1_000_000) });
  } finally {
    await container.unbindAll();
  }
} else if (command === 'seed-kafka' && dataDir !== undefined && rest[0] !== undefined && process.env.KAFKA_BROKERS) {
  // The embedded registry in DATA_DIR/events.db, as `chat` uses it with EVENT_LOG=kafka and SCHEMA_REGISTRY=embedded.
  const registryDb = new Database(path.join(dataDir, 'events.db'));
  registryDb.pragma('journal_mode = WAL');
  const codec = await createAvroEventCodec(new SqliteSchemaRegistry(registryDb));
  const log = await KafkaEventLog.open({
    brokers: process.env.KAFKA_BROKERS.split(','),
    clientId: 'measure-replay',
    topic: rest[0],
    codec,
    indexFile: path.join(dataDir, 'seed-index.db'),
  });
  try {
    written = await generateLog(log, { ...shape, events: Number(rest[1] ?? 1_000_000) });
  } finally {
    await log.close();
    registryDb.close();
  }
} else {
  console.error('usage: measureReplay.ts seed|seed-sealed DATA_DIR [EVENTS] | seed-kafka DATA_DIR TOPIC [EVENTS] (with KAFKA_BROKERS)');
  process.exit(2);
}
console.error(`seeded ${written} events in ${((Date.now() - started) / 1000).toFixed(1)} s into ${dataDir}`);
