import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisChannel } from '../redis/redisChannel.js';
import { answerSignalSchema, type AnswerBus, type AnswerListener, type AnswerSignal } from './answerSignals.js';

export interface RedisAnswerBusOptions {
  /** Publishes; shared with the other Redis adapters. A subscribing connection of its own is made from it. */
  client: Redis;
  /** One channel for every room, as for typing: a gateway serves arbitrary rooms. */
  channel: string;
  logger?: Logger;
}

/**
 * Answer signals over a Redis pub/sub channel (src/redis/redisChannel.ts; the distributed mode), so every gateway
 * streams every answer. Redis delivers a channel's messages in the order one connection published them, and one
 * answer is published by one process, so its pieces arrive in order everywhere. At most once: a gateway disconnected
 * from Redis misses pieces, which the relay sees as a gap in `index`; the stored message then arrives through the
 * log as for everyone.
 */
export class RedisAnswerBus implements AnswerBus {
  private constructor(private readonly channel: RedisChannel<AnswerSignal>) {}

  /** Redis being down is no reason to fail start-up: answers from other gateways are heard once it is back. */
  static async open(options: RedisAnswerBusOptions): Promise<RedisAnswerBus> {
    return new RedisAnswerBus(await RedisChannel.open({ ...options, schema: answerSignalSchema, name: 'answers' }));
  }

  publish(signal: AnswerSignal): Promise<void> {
    return this.channel.publish(signal);
  }

  subscribe(listener: AnswerListener): () => void {
    return this.channel.subscribe(listener);
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
