import { describe, expect, it } from 'vitest';
import { initialsOf, lastSeenLabel, localImageUrl, nameOf, timeLabel, typingLabel } from '../src/shared/format.js';
import { byLabel, parseMetrics, total } from '../src/admin/prometheus.js';

describe('names and labels', () => {
  it('calls people by display name, else username, never by id', () => {
    expect(nameOf({ userId: 'u-1', username: 'bob', displayName: 'Bob B' })).toBe('Bob B');
    expect(nameOf({ userId: 'u-1', username: 'bob', displayName: '  ' })).toBe('bob');
    expect(nameOf(undefined, 'someone')).toBe('someone');
    expect(initialsOf('Ada Lovelace')).toBe('AL');
    expect(initialsOf('bob')).toBe('B');
  });

  it('shows only pictures this origin serves (the CSP allows no other)', () => {
    expect(localImageUrl('https://evil.example/a.png', 'http://chat.test')).toBeNull();
    expect(localImageUrl('http://chat.test/api/files/f1/thumbnail', 'http://chat.test')).toBe('/api/files/f1/thumbnail');
    expect(localImageUrl(null, 'http://chat.test')).toBeNull();
  });

  it('says when, relative to now', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    expect(timeLabel('2026-12-07T11:30:00Z', now)).toMatch(/^\d\d:\d\d$/);
    expect(timeLabel('2025-01-02T11:30:00Z', now)).toMatch(/2025/);
    expect(lastSeenLabel('2026-12-07T11:55:00Z', now)).toBe('last seen 5 min ago');
    expect(lastSeenLabel(null, now)).toBe('never seen');
    expect(typingLabel(['Ann', 'Bob'])).toBe('Ann and Bob are typing…');
    expect(typingLabel([])).toBe('');
  });
});

describe('reading /metrics', () => {
  const text = [
    '# HELP chat_ws_connections Open WebSocket connections',
    '# TYPE chat_ws_connections gauge',
    'chat_ws_connections{state="authenticated"} 3',
    'chat_ws_connections{state="pending"} 1',
    'chat_projector_lag_events{projection="history"} 12',
    'chat_projector_lag_events{projection="analytics"} 0',
    'chat_http_requests_total{method="GET",route="/a\\"b",status="200"} 7',
  ].join('\n');

  it('sums a metric and splits it by a label', () => {
    const samples = parseMetrics(text);
    expect(total(samples, 'chat_ws_connections')).toBe(4);
    expect(total(samples, 'chat_ws_connections', { state: 'pending' })).toBe(1);
    expect(total(samples, 'nothing_here')).toBeNull();
    expect([...byLabel(samples, 'chat_projector_lag_events', 'projection')]).toEqual([['history', 12], ['analytics', 0]]);
    expect(samples.at(-1)?.labels.route).toBe('/a"b');
  });
});
