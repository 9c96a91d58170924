import { timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';

// Who may read /metrics (issue #15). The page names rooms' traffic, commands and the process's internals, so it is
// not for everyone by default: with METRICS_TOKEN whoever sends the token, without it only a scraper on this host,
// unless METRICS_OPEN says the network is trusted.

export interface MetricsAccessPolicy {
  /** When set, every caller (loopback included) must send `Authorization: Bearer <token>`. */
  token?: string;
  /** METRICS_OPEN: without a token, answer any host instead of loopback only. */
  open?: boolean;
}

export interface MetricsCaller {
  /** The socket's peer address, never a header: a client can write any X-Forwarded-For it likes. */
  remoteAddress: string | undefined;
  authorization: string | undefined;
  /**
   * The request carries X-Forwarded-For, Forwarded or X-Real-IP: a proxy relayed it, so a loopback socket only says
   * where the proxy is, not where the caller is. Such headers can take loopback's trust away, never grant it.
   */
  relayed: boolean;
}

export type MetricsAccess =
  | { allowed: true }
  | { allowed: false; reason: 'TOKEN_MISSING_OR_WRONG' | 'NOT_LOOPBACK' };

export function decideMetricsAccess(policy: MetricsAccessPolicy, caller: MetricsCaller): MetricsAccess {
  if (policy.token !== undefined) {
    return bearerMatches(caller.authorization, policy.token) ? { allowed: true } : { allowed: false, reason: 'TOKEN_MISSING_OR_WRONG' };
  }
  if (policy.open === true) return { allowed: true };
  const local = caller.remoteAddress !== undefined && isLoopbackAddress(caller.remoteAddress) && !caller.relayed;
  return local ? { allowed: true } : { allowed: false, reason: 'NOT_LOOPBACK' };
}

/** 127.0.0.0/8 and ::1, also as an IPv4-mapped IPv6 address (what a socket on `::` reports for IPv4 peers). */
export function isLoopbackAddress(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === '::1') return true;
  const ipv4 = lower.startsWith('::ffff:') ? lower.slice('::ffff:'.length) : lower;
  return isIPv4(ipv4) && ipv4.startsWith('127.');
}

/** Constant-time comparison, so response timing does not reveal how much of a guessed token was right. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
