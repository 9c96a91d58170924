import { describe, expect, it } from 'vitest';
import { RedisPersonalDataKeys } from '../../src/privacy/redisPersonalDataKeys.js';
import { describeWithServices } from '../support/realServices.js';
import { deleteKeys, openRedis, quit, testKeyPrefix, unreachableRedis } from '../support/redis.js';
import { personalDataKeysContract } from './personalDataKeysContract.js';

describeWithServices('RedisPersonalDataKeys', ['REDIS_URL'], (env) => {
  personalDataKeysContract('RedisPersonalDataKeys (two connections, real Redis)', async () => {
    const client = await openRedis(env('REDIS_URL'));
    const second = await openRedis(env('REDIS_URL'));
    const keyPrefix = testKeyPrefix('keys');
    return {
      keys: new RedisPersonalDataKeys({ client, keyPrefix }),
      other: new RedisPersonalDataKeys({ client: second, keyPrefix }),
      cleanup: async () => {
        await deleteKeys(client, keyPrefix);
        await quit(client);
        await quit(second);
      },
    };
  });

  describe('RedisPersonalDataKeys specifics', () => {
    it('answers UNAVAILABLE while Redis cannot be reached, never a made-up key', async () => {
      const client = await unreachableRedis();
      try {
        const keys = new RedisPersonalDataKeys({ client, keyPrefix: testKeyPrefix('keys') });
        await expect(keys.keyFor('u-alice')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
        await expect(keys.lookup(['u-alice'])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
        await expect(keys.destroy('u-alice')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      } finally {
        await quit(client);
      }
    });
  });
});
