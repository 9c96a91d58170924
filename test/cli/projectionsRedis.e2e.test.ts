import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import { analyticsKeys, openRedisAnalytics, type SwitchableAnalyticsStore } from '../../src/projections/analytics/switchableAnalyticsStore.js';
import { Projector } from '../../src/projections/projector.js';
import { runCli } from '../support/cliProcess.js';
import { generateLog, withSqliteLog } from '../analysis/seedLog.js';
import { describeWithServices } from '../support/realServices.js';
import { countKeys, deleteKeys, openRedis, testKeyPrefix } from '../support/redis.js';

// `chat projections rebuild analytics` with ANALYTICS_STORE=redis: the counters are rebuilt under a new key prefix
// while a serving store (here in this process, as a service holds it) keeps answering, which then follows the
// pointer key to them.

describeWithServices('chat projections rebuild analytics (Redis)', ['REDIS_URL'], (env) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-rebuild-redis-'));
  const keyPrefix = testKeyPrefix('rebuild');
  let client: Redis;
  let registryDb: Database.Database;
  let log: SqliteEventLog;
  let serving: SwitchableAnalyticsStore;
  let projector: Projector;

  beforeAll(async () => {
    await withSqliteLog(dataDir, (seed) => generateLog(seed, { events: 3000, rooms: 10, users: 50 }));
    client = await openRedis(env('REDIS_URL'));
    registryDb = new Database(path.join(dataDir, 'events.db'));
    log = SqliteEventLog.open({ file: path.join(dataDir, 'events.db'), codec: await createAvroEventCodec(new SqliteSchemaRegistry(registryDb)) });
    serving = await openRedisAnalytics({ client, keyPrefix, log, pollIntervalMs: 50 });
    projector = new Projector({ name: 'analytics', log, store: serving });
    await projector.start();
    await projector.waitFor(await log.headPosition(), 20_000);
  }, 60_000);

  afterAll(async () => {
    await projector.stop();
    await serving.close();
    await log.close();
    registryDb.close();
    await deleteKeys(client, keyPrefix);
    await client.quit();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds under a new prefix, the serving store switches to it with the same counts, and the old keys go', async () => {
    const keys = analyticsKeys(keyPrefix);
    const sizesBefore = await serving.messageSizes();
    expect(sizesBefore.reduce((sum, bucket) => sum + bucket.messages, 0)).toBeGreaterThan(0);
    expect(serving.label).toBe(keys.defaultPrefix);
    expect(await countKeys(client, keys.defaultPrefix)).toBeGreaterThan(0);

    const cli = (args: string[]) =>
      runCli(args, { DATA_DIR: dataDir, EVENT_LOG: 'sqlite', ANALYTICS_STORE: 'redis', REDIS_URL: env('REDIS_URL'), REDIS_KEY_PREFIX: keyPrefix });
    const rebuild = await cli(['projections', 'rebuild', 'analytics', '--drop-old', '--wait-seconds', '20']);
    expect(rebuild.code, rebuild.stderr).toBe(0);
    const live = await client.get(keys.pointer);
    expect(live).toMatch(new RegExp(`^${keyPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}analytics-\\w+:$`));
    expect(rebuild.stderr).toContain(`removed the old store ${keys.defaultPrefix}`);

    expect(serving.label).toBe(live);
    expect(await countKeys(client, keys.defaultPrefix)).toBe(0);
    expect(await serving.messageSizes()).toEqual(sizesBefore);
    expect(await serving.checkpoint()).toEqual(await log.headPosition());

    const status = await cli(['projections', 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const analytics = (JSON.parse(status.stdout) as { projections: { projection: string; store: string; lag: number }[] }).projections.find(
      (p) => p.projection === 'analytics',
    );
    expect(analytics).toEqual(expect.objectContaining({ store: `redis ${live}`, lag: 0 }));
  });
});
