import { describe, expect, it } from 'vitest';
import { decideMetricsAccess, isLoopbackAddress, type MetricsCaller } from '../../src/http/metricsAccess.js';

// Who may read /metrics: the token when one is set, otherwise loopback only unless METRICS_OPEN, judged by the
// socket's address (a forwarding header can only take trust away).

const TOKEN = 'scrape-token-0123456789';

function caller(remoteAddress: string | undefined, options: Partial<Omit<MetricsCaller, 'remoteAddress'>> = {}): MetricsCaller {
  return { remoteAddress, authorization: undefined, relayed: false, ...options };
}

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.255.3.9', '::1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3'])('counts %s as loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['192.0.2.2', '10.0.0.1', '::ffff:192.0.2.2', 'fd00::2', '::', '0.0.0.0', '128.0.0.1', '127.0.0', 'localhost', '127.0.0.1.example', ''])(
    'does not count %s as loopback',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );
});

describe('decideMetricsAccess', () => {
  describe('without METRICS_TOKEN or METRICS_OPEN (the default)', () => {
    it('answers loopback without a token', () => {
      expect(decideMetricsAccess({}, caller('127.0.0.1'))).toEqual({ allowed: true });
      expect(decideMetricsAccess({}, caller('::1'))).toEqual({ allowed: true });
      expect(decideMetricsAccess({}, caller('::ffff:127.0.0.1'))).toEqual({ allowed: true });
    });

    it('refuses any other host, whatever it sends', () => {
      expect(decideMetricsAccess({}, caller('192.0.2.2'))).toEqual({ allowed: false, reason: 'NOT_LOOPBACK' });
      expect(decideMetricsAccess({}, caller('fd00::2', { authorization: `Bearer ${TOKEN}` }))).toEqual({
        allowed: false,
        reason: 'NOT_LOOPBACK',
      });
      expect(decideMetricsAccess({}, caller(undefined))).toEqual({ allowed: false, reason: 'NOT_LOOPBACK' });
    });

    it('refuses a loopback socket that relays someone else (a proxy on this host)', () => {
      expect(decideMetricsAccess({}, caller('127.0.0.1', { relayed: true }))).toEqual({ allowed: false, reason: 'NOT_LOOPBACK' });
    });
  });

  describe('with METRICS_OPEN', () => {
    it('answers every host, relayed or not', () => {
      expect(decideMetricsAccess({ open: true }, caller('192.0.2.2'))).toEqual({ allowed: true });
      expect(decideMetricsAccess({ open: true }, caller('127.0.0.1', { relayed: true }))).toEqual({ allowed: true });
    });
  });

  describe('with METRICS_TOKEN', () => {
    it('requires the bearer token from every host, loopback included', () => {
      const refused = { allowed: false, reason: 'TOKEN_MISSING_OR_WRONG' };
      expect(decideMetricsAccess({ token: TOKEN }, caller('127.0.0.1'))).toEqual(refused);
      expect(decideMetricsAccess({ token: TOKEN }, caller('127.0.0.1', { authorization: `Bearer ${TOKEN}x` }))).toEqual(refused);
      expect(decideMetricsAccess({ token: TOKEN }, caller('127.0.0.1', { authorization: TOKEN }))).toEqual(refused);
      expect(decideMetricsAccess({ token: TOKEN }, caller('192.0.2.2', { authorization: `Bearer ${TOKEN}` }))).toEqual({ allowed: true });
      expect(decideMetricsAccess({ token: TOKEN }, caller('::1', { authorization: `Bearer ${TOKEN}` }))).toEqual({ allowed: true });
    });
  });
});
