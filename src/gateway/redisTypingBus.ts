import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { UnavailableError } from '../domain/errors.js';
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
 * Typing over Redis pub/sub, so the subscribers of every gateway hear it. At most once, by design: a signal
 * published while a gateway is disconnected is lost to it, which costs an indicator a client shows for 5 s anyway.
 * Every gateway, the publishing one included, relays what arrives on the channel, so nothing is relayed twice.
 */
export class RedisTypingBus implements TypingBus {
  private readonly listeners = new Set<TypingListener>();
  private readonly subscribedListeners = new Set<() => void>();
  /** The subscription of the current connection, once asked for. */
  private subscription: Promise<void> | undefined;

  private constructor(
    private readonly publisher: Redis,
    /** A connection in subscriber mode can do nothing else, so it is the bus's own. */
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger | undefined,
  ) {
    subscriber.on('message', (from: string, message: string) => {
      if (from === this.channel) this.deliver(message);
    });
    // Subscribes on every (re)connection itself rather than through ioredis's autoResubscribe, which only renews
    // subscriptions a connection already had: a bus that started while Redis was down has none yet.
    subscriber.on('ready', () => {
      const subscription = subscriber.subscribe(this.channel).then(() => {
        this.logger?.debug({ channel: this.channel }, 'typing bus subscribed');
        for (const listener of this.subscribedListeners) listener();
      });
      subscription.catch((error: unknown) => this.logger?.warn({ err: error }, 'typing bus could not subscribe'));
      this.subscription = subscription;
    });
  }

  /**
   * Opens the subscribing connection and subscribes. Redis being down is no reason to fail start-up: the
   * connection keeps retrying and subscribes when it gets through; typing from other gateways is relayed from then.
   */
  static async open(options: RedisTypingBusOptions): Promise<RedisTypingBus> {
    const subscriber = options.client.duplicate({ autoResubscribe: false });
    subscriber.on('error', (error: unknown) => options.logger?.debug({ err: error }, 'typing subscriber connection failed'));
    const bus = new RedisTypingBus(options.client, subscriber, options.channel, options.logger);
    try {
      await subscriber.connect();
      await bus.subscription;
    } catch (error) {
      options.logger?.warn({ err: error }, 'typing bus cannot subscribe yet; retrying in the background');
    }
    return bus;
  }

  async publish(roomId: string, userId: string): Promise<void> {
    const signal: TypingSignal = { roomId, userId };
    try {
      await this.publisher.publish(this.channel, JSON.stringify(signal));
    } catch (error) {
      throw new UnavailableError('typing cannot be relayed right now', undefined, { cause: error });
    }
  }

  subscribe(listener: TypingListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Told each time the bus has (re)subscribed, e.g. after Redis came back; returns the unsubscribe function. */
  onSubscribed(listener: () => void): () => void {
    this.subscribedListeners.add(listener);
    return () => {
      this.subscribedListeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscribedListeners.clear();
    if (this.subscriber.status === 'ready') await this.subscriber.quit();
    else this.subscriber.disconnect();
  }

  private deliver(message: string): void {
    let signal: TypingSignal;
    try {
      signal = signalSchema.parse(JSON.parse(message));
    } catch (error) {
      // Whatever else writes to the channel must not break typing for everybody.
      this.logger?.warn({ err: error }, 'ignored a malformed typing signal');
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch (error) {
        this.logger?.warn({ err: error, signal }, 'typing listener failed');
      }
    }
  }
}
