// The distributed key store: one Redis string per user, shared by every process. Nothing is cached in a process:
// every seal and every read batch asks Redis (one MGET per batch), so an erasure by any process reaches all of
// them at once, with no invalidation message that could be missed.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ChatError, UnavailableError } from '../domain/errors.js';
import { LuaScript } from '../redis/luaScript.js';
import { KEY_BYTES, type KeyState, type PersonalDataKeys } from './personalDataKeys.js';
import { PersonalDataErasedError, checkKeyOwner } from './privacyErrors.js';

/** The value a destroyed key is overwritten with: the tombstone that stops a new key from being made. */
const DESTROYED = 'destroyed';

// SET NX then GET in one script: concurrent first uses on several processes all get the one key that won.
const KEY_FOR = new LuaScript(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
`);

// Returns 1 when this call destroyed a key (or laid the first tombstone), 0 when it was destroyed already.
const DESTROY = new LuaScript(`
local previous = redis.call('GET', KEYS[1])
if previous == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`);

export interface RedisPersonalDataKeysOptions {
  client: Redis;
  /** Prepended to every key, e.g. `chat:keys:`. */
  keyPrefix: string;
}

export class RedisPersonalDataKeys implements PersonalDataKeys {
  constructor(private readonly options: RedisPersonalDataKeysOptions) {}

  async keyFor(userId: string): Promise<Buffer> {
    checkKeyOwner(userId);
    const value = await this.call(() => KEY_FOR.run(this.options.client, [this.keyOf(userId)], [randomBytes(KEY_BYTES).toString('base64')]));
    if (value === DESTROYED) throw new PersonalDataErasedError(userId);
    if (typeof value !== 'string') throw new UnavailableError('the personal data key store answered without a key');
    return Buffer.from(value, 'base64');
  }

  async lookup(userIds: readonly string[]): Promise<Map<string, KeyState>> {
    const states = new Map<string, KeyState>();
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return states;
    const values = await this.call(() => this.options.client.mget(unique.map((id) => this.keyOf(id))));
    unique.forEach((id, index) => {
      const value = values[index];
      states.set(
        id,
        value === null || value === undefined
          ? { state: 'absent' }
          : value === DESTROYED
            ? { state: 'destroyed' }
            : { state: 'present', key: Buffer.from(value, 'base64') },
      );
    });
    return states;
  }

  async destroy(userId: string): Promise<{ destroyedNow: boolean }> {
    checkKeyOwner(userId);
    const result = await this.call(() => DESTROY.run(this.options.client, [this.keyOf(userId)], [DESTROYED]));
    return { destroyedNow: result === 1 };
  }

  async close(): Promise<void> {
    // The connection is shared and owned by the container.
  }

  private keyOf(userId: string): string {
    return `${this.options.keyPrefix}${userId}`;
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ChatError) throw error;
      throw new UnavailableError('the personal data key store is unavailable', undefined, { cause: error });
    }
  }
}
