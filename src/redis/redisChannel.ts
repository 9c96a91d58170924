import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { UnavailableError } from '../domain/errors.js';

export interface RedisChannelOptions<T> {
  /** Publishes; shared with the other Redis adapters. A subscribing connection of its own is made from it. */
  client: Redis;
  /** One channel for every room: a gateway serves arbitrary rooms, and per-room channels would churn subscriptions. */
  channel: string;
  /** Checks what arrives: whatever else writes to the channel must not break it for everybody. */
  schema: z.ZodType<T>;
  /** What the channel carries, for log lines and errors ("typing", "answers"). */
  name: string;
  logger?: Logger;
}

/**
 * A Redis pub/sub channel of JSON messages checked by a schema, heard by every process that opens it (the
 * publisher included). At most once, by design: a message published while a process is disconnected is lost to
 * it. Redis delivers a channel's messages in the order one connection published them. The typing bus and the
 * assistants' answer bus are each one of these.
 */
export class RedisChannel<T> {
  private readonly listeners = new Set<(message: T) => void>();
  private readonly subscribedListeners = new Set<() => void>();
  /** The subscription of the current connection, once asked for. */
  private subscription: Promise<void> | undefined;

  private constructor(
    private readonly publisher: Redis,
    /** A connection in subscriber mode can do nothing else, so it is the channel's own. */
    private readonly subscriber: Redis,
    private readonly options: RedisChannelOptions<T>,
  ) {
    subscriber.on('message', (from: string, message: string) => {
      if (from === options.channel) this.deliver(message);
    });
    // Subscribes on every (re)connection itself rather than through ioredis's autoResubscribe, which only renews
    // subscriptions a connection already had: a channel opened while Redis was down has none yet.
    subscriber.on('ready', () => {
      const subscription = subscriber.subscribe(options.channel).then(() => {
        options.logger?.debug({ channel: options.channel }, `${options.name} channel subscribed`);
        for (const listener of this.subscribedListeners) listener();
      });
      subscription.catch((error: unknown) => options.logger?.warn({ err: error }, `${options.name} channel could not subscribe`));
      this.subscription = subscription;
    });
  }

  /**
   * Opens the subscribing connection and subscribes. Redis being down is no reason to fail start-up: the
   * connection keeps retrying and subscribes when it gets through; messages from other processes are heard from then.
   */
  static async open<T>(options: RedisChannelOptions<T>): Promise<RedisChannel<T>> {
    const subscriber = options.client.duplicate({ autoResubscribe: false });
    subscriber.on('error', (error: unknown) => options.logger?.debug({ err: error }, `${options.name} subscriber connection failed`));
    const channel = new RedisChannel(options.client, subscriber, options);
    try {
      await subscriber.connect();
      await channel.subscription;
    } catch (error) {
      options.logger?.warn({ err: error }, `${options.name} channel cannot subscribe yet; retrying in the background`);
    }
    return channel;
  }

  async publish(message: T): Promise<void> {
    try {
      await this.publisher.publish(this.options.channel, JSON.stringify(message));
    } catch (error) {
      throw new UnavailableError(`${this.options.name} cannot be relayed right now`, undefined, { cause: error });
    }
  }

  subscribe(listener: (message: T) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Told each time the channel has (re)subscribed, e.g. after Redis came back; returns the unsubscribe function. */
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

  private deliver(raw: string): void {
    let message: T;
    try {
      message = this.options.schema.parse(JSON.parse(raw));
    } catch (error) {
      this.options.logger?.warn({ err: error }, `ignored a malformed ${this.options.name} message`);
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        this.options.logger?.warn({ err: error }, `${this.options.name} listener failed`);
      }
    }
  }
}
