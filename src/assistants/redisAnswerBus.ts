import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { UnavailableError } from '../domain/errors.js';
import { answerSignalSchema, type AnswerBus, type AnswerListener, type AnswerSignal } from './answerSignals.js';

export interface RedisAnswerBusOptions {
  /** Publishes; shared with the other Redis adapters. A subscribing connection of its own is made from it. */
  client: Redis;
  /** One channel for every room, as for typing: a gateway serves arbitrary rooms. */
  channel: string;
  logger?: Logger;
}

/**
 * Answer signals over Redis pub/sub (the distributed mode), so every gateway streams every answer. Redis delivers a
 * channel's messages in the order one connection published them, and one answer is published by one process, so its
 * pieces arrive in order everywhere. At most once: a gateway disconnected from Redis misses pieces, which the relay
 * sees as a gap in `index`; the stored message then arrives through the log as for everyone.
 */
export class RedisAnswerBus implements AnswerBus {
  private readonly listeners = new Set<AnswerListener>();

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger | undefined,
  ) {
    subscriber.on('message', (from: string, message: string) => {
      if (from === this.channel) this.deliver(message);
    });
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).catch((error: unknown) => this.logger?.warn({ err: error }, 'answer bus could not subscribe'));
    });
  }

  /** Opens the subscribing connection; Redis being down is no reason to fail start-up (it keeps retrying). */
  static async open(options: RedisAnswerBusOptions): Promise<RedisAnswerBus> {
    const subscriber = options.client.duplicate({ autoResubscribe: false });
    subscriber.on('error', (error: unknown) => options.logger?.debug({ err: error }, 'answer subscriber connection failed'));
    const bus = new RedisAnswerBus(options.client, subscriber, options.channel, options.logger);
    try {
      await subscriber.connect();
      await subscriber.subscribe(options.channel);
    } catch (error) {
      options.logger?.warn({ err: error }, 'answer bus cannot subscribe yet; retrying in the background');
    }
    return bus;
  }

  async publish(signal: AnswerSignal): Promise<void> {
    try {
      await this.publisher.publish(this.channel, JSON.stringify(signal));
    } catch (error) {
      throw new UnavailableError('answers cannot be relayed right now', undefined, { cause: error });
    }
  }

  subscribe(listener: AnswerListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber.status === 'ready') await this.subscriber.quit();
    else this.subscriber.disconnect();
  }

  private deliver(message: string): void {
    let signal: AnswerSignal;
    try {
      signal = answerSignalSchema.parse(JSON.parse(message));
    } catch (error) {
      this.logger?.warn({ err: error }, 'ignored a malformed answer signal');
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch (error) {
        this.logger?.warn({ err: error }, 'answer listener failed');
      }
    }
  }
}
