import type { RawConfig } from './configSchema.js';

/** The store selectors set to `redis`: each one needs REDIS_URL. */
export function redisSelectors(raw: RawConfig): string[] {
  const selectors = {
    PRESENCE_STORE: raw.PRESENCE_STORE,
    RATE_LIMIT_STORE: raw.RATE_LIMIT_STORE,
    TOKEN_STORE: raw.TOKEN_STORE,
    ANALYTICS_STORE: raw.ANALYTICS_STORE,
    TYPING_BUS: raw.TYPING_BUS,
    PERSONAL_DATA_KEYS: raw.PERSONAL_DATA_KEYS,
  };
  return Object.entries(selectors).flatMap(([key, value]) => (value === 'redis' ? [key] : []));
}
