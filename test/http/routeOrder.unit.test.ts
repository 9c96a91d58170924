import { describe, expect, it } from 'vitest';
import type { HttpMethod } from '../../src/http/route.js';
import { AmbiguousRoutesError, byPrecedence } from '../../src/http/routeOrder.js';

// The order the app adds its routes in comes from the paths alone: shuffled or reversed, the list gives the same
// order, and the literal route wins where a parameter would also match (/api/users/search is not a user id).

type Route = { method: HttpMethod; path: string };

const route = (method: HttpMethod, path: string): Route => ({ method, path });

/** The service's REST routes (src/http/routes), in the order the container lists them today. */
const ROUTES: Route[] = [
  route('get', '/api/health'),
  route('post', '/api/auth/register'),
  route('post', '/api/auth/login'),
  route('post', '/api/auth/refresh'),
  route('post', '/api/auth/logout'),
  route('post', '/api/auth/password'),
  route('get', '/api/auth/me'),
  route('get', '/api/chat/rooms'),
  route('post', '/api/chat/rooms'),
  route('get', '/api/chat/rooms/:roomId'),
  route('post', '/api/chat/rooms/:roomId/join'),
  route('post', '/api/chat/rooms/:roomId/leave'),
  route('get', '/api/chat/rooms/:roomId/members'),
  route('post', '/api/chat/rooms/:roomId/members'),
  route('delete', '/api/chat/rooms/:roomId/members/:userId'),
  route('patch', '/api/chat/rooms/:roomId/members/:userId'),
  route('get', '/api/chat/rooms/:roomId/messages'),
  route('post', '/api/chat/send'),
  route('patch', '/api/chat/messages/:messageId'),
  route('delete', '/api/chat/messages/:messageId'),
  route('get', '/api/chat/messages/:messageId/history'),
  route('post', '/api/chat/rooms/:roomId/read'),
  route('get', '/api/chat/rooms/:roomId/receipts'),
  route('get', '/api/presence'),
  route('get', '/api/chat/rooms/:roomId/presence'),
  route('get', '/api/analytics/rooms/:roomId/messages'),
  route('get', '/api/analytics/active-users'),
  route('get', '/api/analytics/top-rooms'),
  route('get', '/api/analytics/message-sizes'),
  route('get', '/api/audit/streams/:streamId/events'),
  route('get', '/api/audit/messages/:messageId/versions'),
  route('put', '/api/admin/users/:userId/role'),
  route('get', '/api/friends'),
  route('delete', '/api/friends/:userId'),
  route('post', '/api/friends/requests'),
  route('get', '/api/friends/requests/pending'),
  route('get', '/api/friends/requests/sent'),
  route('post', '/api/friends/requests/:userId/accept'),
  route('post', '/api/friends/requests/:userId/reject'),
  route('delete', '/api/friends/requests/:userId'),
  route('get', '/api/users/search'),
  route('get', '/api/users/me'),
  route('patch', '/api/users/me'),
  route('get', '/api/users/:userId'),
];

/** Express's rule for these paths: same number of segments, a literal equal, a parameter any non-empty segment. */
function matches(route: Route, method: HttpMethod, path: string): boolean {
  const want = route.path.split('/');
  const got = path.split('/');
  return (
    route.method === method &&
    want.length === got.length &&
    want.every((segment, i) => (segment.startsWith(':') ? (got[i] ?? '') !== '' : segment === got[i]))
  );
}

/** The route express would run: the first one added that matches. */
function winner(added: readonly Route[], method: HttpMethod, path: string): string | undefined {
  return added.find((route) => matches(route, method, path))?.path;
}

/** A deterministic shuffle (mulberry32), so a failure names a seed that reproduces it. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const [a, b] = [copy[i], copy[j]];
    if (a !== undefined && b !== undefined) [copy[i], copy[j]] = [b, a];
  }
  return copy;
}

const orderings: Array<[string, Route[]]> = [
  ['as listed', ROUTES],
  ['reversed', [...ROUTES].reverse()],
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((seed): [string, Route[]] => [`shuffled (seed ${seed})`, shuffled(ROUTES, seed)]),
];

/** Requests where a literal and a parameter route could both match, and the route that must answer. */
const CONTESTED: Array<[HttpMethod, string, string]> = [
  ['get', '/api/users/search', '/api/users/search'],
  ['get', '/api/users/me', '/api/users/me'],
  ['get', '/api/users/u-1', '/api/users/:userId'],
  ['get', '/api/friends/requests/pending', '/api/friends/requests/pending'],
  ['get', '/api/friends/requests/sent', '/api/friends/requests/sent'],
  ['delete', '/api/friends/requests/u-1', '/api/friends/requests/:userId'],
  ['delete', '/api/friends/u-1', '/api/friends/:userId'],
  ['get', '/api/chat/rooms/r-1', '/api/chat/rooms/:roomId'],
];

describe('byPrecedence', () => {
  it.each(orderings)('gives the same order for the routes %s', (_name, routes) => {
    expect(byPrecedence(routes)).toEqual(byPrecedence(ROUTES));
  });

  it.each(orderings)('lets the same route win every contested request, the routes %s', (_name, routes) => {
    const added = byPrecedence(routes);
    for (const [method, path, expected] of CONTESTED) expect([method, path, winner(added, method, path)]).toEqual([method, path, expected]);
  });

  it('is needed: added in the given order, a reversed list reads "search" and "me" as user ids', () => {
    const reversed = [...ROUTES].reverse();
    expect(winner(reversed, 'get', '/api/users/search')).toBe('/api/users/:userId');
    expect(winner(reversed, 'get', '/api/users/me')).toBe('/api/users/:userId');
  });

  it('puts a literal segment before a parameter at the first segment where two paths differ', () => {
    const routes: Route[] = [
      { method: 'get', path: '/a/:x/b' },
      { method: 'get', path: '/a/c/:y' },
      { method: 'get', path: '/a/:x/:y' },
      { method: 'get', path: '/a/c/d' },
    ];
    expect(byPrecedence(routes).map((route) => route.path)).toEqual(['/a/c/d', '/a/c/:y', '/a/:x/b', '/a/:x/:y']);
  });

  it('refuses two routes of one method that match the same requests, since only their order would choose', () => {
    expect(() => byPrecedence([...ROUTES, { method: 'get', path: '/api/users/:id' }])).toThrow(AmbiguousRoutesError);
    expect(() => byPrecedence([...ROUTES, { method: 'get', path: '/api/users/search' }])).toThrow(
      'GET /api/users/search and /api/users/search match the same requests',
    );
    expect(() => byPrecedence([...ROUTES, { method: 'put', path: '/api/users/:userId' }])).not.toThrow();
  });
});
