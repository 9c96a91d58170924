import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by its SHA-1 (EVALSHA), loaded with EVAL the first time a server does not know it. Scripts are
 * how the Redis adapters make a read-decide-write atomic: Redis runs one script at a time, so no other client's
 * command lands between the script's read and its write.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** The raw reply; callers narrow it (zod or a type guard) before trusting its shape. */
  async run(client: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    const params = [...keys, ...args];
    try {
      return await client.evalsha(this.sha, keys.length, ...params);
    } catch (error) {
      // After a restart or SCRIPT FLUSH the server has forgotten the script; EVAL runs and caches it again.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...params);
    }
  }
}
