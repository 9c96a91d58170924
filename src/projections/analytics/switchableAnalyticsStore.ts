// The analytics store a serving process uses when ANALYTICS_STORE=redis: the counters under the key prefix that
// `<REDIS_KEY_PREFIX>analytics.current` names (or `<REDIS_KEY_PREFIX>analytics:` before any rebuild), switched to a
// rebuilt prefix when that key moves. See storeSwitch.ts for how a switch keeps the projector's checkpoint valid.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Granularity } from './analyticsProjection.js';
import type {
  AnalyticsStore,
  DailyActiveUsers,
  MessageSizeCount,
  AssistantTokenTotal,
  RoomMessageBucket,
  RoomMessageTotal,
  TimeRange,
} from './analyticsStore.js';
import { RedisAnalyticsStore } from './redisAnalyticsStore.js';
import type { RecordedEvent } from '../../events/envelope.js';
import type { Checkpoint } from '../../eventlog/checkpoint.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import { watchPointer, type PointerWatch, type StorePointer } from '../storePointer.js';
import { StoreSwitch } from '../storeSwitch.js';

export class SwitchableAnalyticsStore implements AnalyticsStore {
  constructor(
    private readonly stores: StoreSwitch<AnalyticsStore>,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  get label(): string {
    return this.stores.label;
  }

  switchTo(next: AnalyticsStore, label: string): Promise<void> {
    return this.stores.switchTo(next, label);
  }

  applyBatch(events: RecordedEvent[]): Promise<void> {
    return this.stores.applyBatch(events);
  }
  checkpoint(): Promise<Checkpoint> {
    return this.stores.checkpoint();
  }
  roomMessages(roomId: string, granularity: Granularity, range: TimeRange): Promise<RoomMessageBucket[]> {
    return this.stores.current.roomMessages(roomId, granularity, range);
  }
  activeUsers(range: TimeRange): Promise<DailyActiveUsers[]> {
    return this.stores.current.activeUsers(range);
  }
  topRooms(granularity: Granularity, range: TimeRange, limit: number): Promise<RoomMessageTotal[]> {
    return this.stores.current.topRooms(granularity, range, limit);
  }
  messageSizes(): Promise<MessageSizeCount[]> {
    return this.stores.current.messageSizes();
  }
  assistantTokens(): Promise<AssistantTokenTotal[]> {
    return this.stores.current.assistantTokens();
  }
  async close(): Promise<void> {
    await this.onClose();
    await this.stores.close();
  }
}

/** Where the analytics counters of a deployment (REDIS_KEY_PREFIX) live, and the keys that say which are live. */
export function analyticsKeys(keyPrefix: string): { defaultPrefix: string; pointer: string; serving: string; rebuilt: (stamp: string) => string } {
  return {
    defaultPrefix: `${keyPrefix}analytics:`,
    pointer: `${keyPrefix}analytics.current`,
    serving: `${keyPrefix}analytics.serving`,
    rebuilt: (stamp) => `${keyPrefix}analytics-${stamp}:`,
  };
}

/** A pointer in one Redis key (SET is atomic). */
export function redisPointer(client: Redis, key: string): StorePointer {
  return {
    async read() {
      return (await client.get(key)) ?? undefined;
    },
    async write(value) {
      await client.set(key, value);
    },
  };
}

export interface RedisAnalyticsOptions {
  client: Redis;
  /** REDIS_KEY_PREFIX. */
  keyPrefix: string;
  log: Pick<EventLog, 'readAll'>;
  logger?: Logger;
  pollIntervalMs?: number;
}

/** The key prefix whose counters are live now. */
export async function liveAnalyticsPrefix(client: Redis, keyPrefix: string): Promise<string> {
  const keys = analyticsKeys(keyPrefix);
  return (await redisPointer(client, keys.pointer).read()) ?? keys.defaultPrefix;
}

/** Opens the live counters and follows the pointer key from then on (a rebuild in another process moves it). */
export async function openRedisAnalytics(options: RedisAnalyticsOptions): Promise<SwitchableAnalyticsStore> {
  const keys = analyticsKeys(options.keyPrefix);
  const pointer = redisPointer(options.client, keys.pointer);
  const serving = redisPointer(options.client, keys.serving);
  // Redis may be away at start-up (the service still starts): then the default prefix serves until the next poll.
  const initial = await pointer.read().catch(() => undefined);
  const prefix = initial ?? keys.defaultPrefix;
  const open = (keyPrefix: string) => new RedisAnalyticsStore({ client: options.client, keyPrefix });
  const stores = new StoreSwitch<AnalyticsStore>({ name: 'analytics', initial: open(prefix), label: prefix, log: options.log, logger: options.logger });
  await serving.write(prefix).catch(() => undefined);
  const store = new SwitchableAnalyticsStore(stores, async () => watch.stop());
  // Declared after the store its onChange switches; close() only runs once both exist.
  const watch: PointerWatch = watchPointer({
    pointer,
    initial: prefix,
    intervalMs: options.pollIntervalMs ?? 1000,
    logger: options.logger,
    onChange: async (next) => {
      if (!next.startsWith(`${options.keyPrefix}analytics`)) {
        throw new Error(`${keys.pointer} names "${next}", not an analytics prefix of this deployment`);
      }
      await store.switchTo(open(next), next);
      await serving.write(next);
    },
  });
  return store;
}
