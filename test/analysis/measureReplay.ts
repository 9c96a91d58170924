// The replay measurement (not a test): seeds N events into a DATA_DIR once, then times `chat events replay` on it.
//   npx tsx test/analysis/measureReplay.ts seed /tmp/replay-1m 1000000
import { generateLog, withSqliteLog } from './seedLog.js';

const [, , command, dataDir, events] = process.argv;
if (command !== 'seed' || dataDir === undefined) {
  console.error('usage: measureReplay.ts seed DATA_DIR [EVENTS]');
  process.exit(2);
}
const started = Date.now();
const written = await withSqliteLog(dataDir, (log) => generateLog(log, { events: Number(events ?? 1_000_000), rooms: 200, users: 2000 }));
console.error(`seeded ${written} events in ${((Date.now() - started) / 1000).toFixed(1)} s into ${dataDir}`);
