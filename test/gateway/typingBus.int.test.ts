import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/domain/errors.js';
import { InProcessTypingBus } from '../../src/gateway/inProcessTypingBus.js';
import { RedisTypingBus } from '../../src/gateway/redisTypingBus.js';
import type { TypingBus, TypingSignal } from '../../src/gateway/typingBus.js';
import { connectRedis, createRedisClient } from '../../src/redis/redisClient.js';
import { describeWithServices } from '../support/realServices.js';
import { openRedis, quit, testKeyPrefix, unreachableRedis } from '../support/redis.js';
import { TcpProxy } from '../support/tcpProxy.js';

/** Collects what a bus delivers; `next(n)` resolves once n signals have arrived (no sleeping). */
function recorder(bus: TypingBus): { signals: TypingSignal[]; next: (count: number) => Promise<TypingSignal[]> } {
  const signals: TypingSignal[] = [];
  const waiters: Array<{ count: number; resolve: (signals: TypingSignal[]) => void }> = [];
  bus.subscribe((signal) => {
    signals.push(signal);
    for (const waiter of [...waiters]) {
      if (signals.length < waiter.count) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve([...signals]);
    }
  });
  return {
    signals,
    next: (count) =>
      signals.length >= count ? Promise.resolve([...signals]) : new Promise((resolve) => waiters.push({ count, resolve })),
  };
}

describe('InProcessTypingBus', () => {
  it('delivers to every subscriber before publish resolves, and not after unsubscribing', async () => {
    const bus = new InProcessTypingBus();
    const first = recorder(bus);
    const heard: TypingSignal[] = [];
    const unsubscribe = bus.subscribe((signal) => heard.push(signal));
    await bus.publish('r-1', 'u-alice');
    expect(first.signals).toEqual([{ roomId: 'r-1', userId: 'u-alice' }]);
    expect(heard).toEqual([{ roomId: 'r-1', userId: 'u-alice' }]);
    unsubscribe();
    await bus.publish('r-1', 'u-bob');
    expect(heard).toHaveLength(1);
    expect(first.signals).toHaveLength(2);
    await bus.close();
  });
});

describeWithServices('RedisTypingBus', ['REDIS_URL'], (env) => {
  let clients: Redis[];
  let buses: RedisTypingBus[];
  let channel: string;

  beforeEach(async () => {
    channel = `${testKeyPrefix('typing')}typing`;
    clients = await Promise.all([openRedis(env('REDIS_URL')), openRedis(env('REDIS_URL'))]);
    // Two gateways: each its own publishing connection and (made by the bus) its own subscribing one.
    buses = await Promise.all(clients.map((client) => RedisTypingBus.open({ client, channel })));
  });

  afterEach(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await Promise.all(clients.map(quit));
  });

  it('a publish on one gateway reaches the subscribers of both, each on its own Redis connection', async () => {
    const [gatewayA, gatewayB] = [recorder(buses[0]!), recorder(buses[1]!)];
    await buses[0]!.publish('r-1', 'u-alice');
    expect(await gatewayA.next(1)).toEqual([{ roomId: 'r-1', userId: 'u-alice' }]);
    expect(await gatewayB.next(1)).toEqual([{ roomId: 'r-1', userId: 'u-alice' }]);
  });

  it('keeps each publisher’s order, and delivers each signal once per subscriber', async () => {
    const [gatewayA, gatewayB] = [recorder(buses[0]!), recorder(buses[1]!)];
    for (let i = 0; i < 20; i += 1) await buses[i % 2]!.publish(`r-${i}`, 'u-alice');
    const expected = Array.from({ length: 20 }, (_, i) => ({ roomId: `r-${i}`, userId: 'u-alice' }));
    expect(await gatewayA.next(20)).toEqual(expected);
    expect(await gatewayB.next(20)).toEqual(expected);
    // A marker published after everything else: once it arrives, nothing was delivered twice.
    await buses[0]!.publish('r-end', 'u-end');
    expect(await gatewayA.next(21)).toHaveLength(21);
    expect(await gatewayB.next(21)).toHaveLength(21);
  });

  it('ignores a malformed message on the channel and keeps delivering', async () => {
    const gateway = recorder(buses[1]!);
    await clients[0]!.publish(channel, 'not json');
    await clients[0]!.publish(channel, JSON.stringify({ roomId: 'r-1' }));
    await buses[0]!.publish('r-1', 'u-alice');
    expect(await gateway.next(1)).toEqual([{ roomId: 'r-1', userId: 'u-alice' }]);
  });

  it('keeps buses on different channels (deployments) apart', async () => {
    const otherClient = await openRedis(env('REDIS_URL'));
    const other = await RedisTypingBus.open({ client: otherClient, channel: `${channel}-other` });
    const heardElsewhere = recorder(other);
    const gateway = recorder(buses[1]!);
    await buses[0]!.publish('r-1', 'u-alice');
    await gateway.next(1);
    await other.publish('r-2', 'u-bob');
    expect(await heardElsewhere.next(1)).toEqual([{ roomId: 'r-2', userId: 'u-bob' }]);
    await other.close();
    await quit(otherClient);
  });

  it('resubscribes when Redis comes back after an outage (a TCP proxy cut and restored), and one that started during it subscribes late', async () => {
    const target = new URL(env('REDIS_URL'));
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    const proxied = createRedisClient({ url: proxy.proxiedUrl(env('REDIS_URL')), connectTimeoutMs: 500, maxReconnectDelayMs: 50 });
    await connectRedis(proxied);
    const behindProxy = await RedisTypingBus.open({ client: proxied, channel });
    const gateway = recorder(behindProxy);

    const resubscribed = new Promise<void>((resolve) => behindProxy.onSubscribed(resolve));
    await proxy.cut();
    await expect(behindProxy.publish('r-lost', 'u-alice')).rejects.toBeInstanceOf(UnavailableError);
    await proxy.restore();
    await resubscribed;
    await buses[0]!.publish('r-after', 'u-alice');
    expect(await gateway.next(1)).toEqual([{ roomId: 'r-after', userId: 'u-alice' }]);

    await behindProxy.close();
    await quit(proxied);
    await proxy.close();
  });

  it('a bus opened while Redis is unreachable subscribes once it is reachable', async () => {
    const target = new URL(env('REDIS_URL'));
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    await proxy.cut();
    const proxied = createRedisClient({ url: proxy.proxiedUrl(env('REDIS_URL')), connectTimeoutMs: 500, maxReconnectDelayMs: 50 });
    expect(await connectRedis(proxied)).toBe(false);
    const late = await RedisTypingBus.open({ client: proxied, channel });
    const gateway = recorder(late);
    const subscribed = new Promise<void>((resolve) => late.onSubscribed(resolve));
    await proxy.restore();
    await subscribed;
    await buses[0]!.publish('r-1', 'u-bob');
    expect(await gateway.next(1)).toEqual([{ roomId: 'r-1', userId: 'u-bob' }]);

    await late.close();
    await quit(proxied);
    await proxy.close();
  });
});

describe('RedisTypingBus while Redis is unreachable', () => {
  it('opens anyway, and a publish fails with UNAVAILABLE instead of hanging', async () => {
    const client = await unreachableRedis();
    const bus = await RedisTypingBus.open({ client, channel: 'unreachable:typing' });
    await expect(bus.publish('r-1', 'u-alice')).rejects.toBeInstanceOf(UnavailableError);
    await bus.close();
    await quit(client);
  });
});
