import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { RedisChannel } from '../redis/redisChannel.js';
import type { TypingBus, TypingListener, TypingSignal } from './typingBus.js';

export interface RedisTypingBusOptions {
  /** Publishes; shared with the other Redis adapters. A subscribing connection of its own is made from it. */
  client: Redis;
  /** One channel for every room: a gateway serves arbitrary rooms, and per-room channels would churn subscriptions. */
  channel: string;
  logger?: Logger;
}

const signalSchema = z.strictObject({ roomId: z.string().min(1), userId: z.string().min(1) });

/**
 * Typing over a Redis pub/sub channel (src/redis/redisChannel.ts), so the subscribers of every gateway hear it. At
 * most once, by design: a signal published while a gateway is disconnected is lost to it, which costs an indicator
 * a client shows for 5 s anyway. Every gateway, the publishing one included, relays what arrives on the channel, so
 * nothing is relayed twice.
 */
export class RedisTypingBus implements TypingBus {
  private constructor(private readonly channel: RedisChannel<TypingSignal>) {}

  /** Redis being down is no reason to fail start-up: typing from other gateways is relayed once it is back. */
  static async open(options: RedisTypingBusOptions): Promise<RedisTypingBus> {
    return new RedisTypingBus(await RedisChannel.open({ ...options, schema: signalSchema, name: 'typing' }));
  }

  publish(roomId: string, userId: string): Promise<void> {
    return this.channel.publish({ roomId, userId });
  }

  subscribe(listener: TypingListener): () => void {
    return this.channel.subscribe(listener);
  }

  /** Told each time the bus has (re)subscribed, e.g. after Redis came back; returns the unsubscribe function. */
  onSubscribed(listener: () => void): () => void {
    return this.channel.onSubscribed(listener);
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
