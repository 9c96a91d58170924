import type { Endpoint } from './route.js';

// Express tries routes in the order they were added, so `/api/users/:userId` added before `/api/users/search` would
// read "search" as a user id. Rather than have each list keep a careful order, the app adds its endpoints sorted by
// what their paths are: at the first segment where two paths differ, a literal segment comes before a parameter.
// The order is total (paths alone decide it), so no list, merge or refactoring can change which route answers.

type Method = Endpoint['method'];

/** How specific a path segment is, most first: a literal, a parameter, a catch-all (none today; kept last if added). */
type SegmentKind = 0 | 1 | 2;
const LITERAL: SegmentKind = 0;
const PARAMETER: SegmentKind = 1;
const WILDCARD: SegmentKind = 2;

interface Shape {
  kinds: SegmentKind[];
  /** Literal segments' text, "" for the others: the same shape matches the same requests. */
  literals: string[];
}

/** The endpoints in the order they must be added so that the most specific path wins whatever the given order. */
export function byPrecedence<E extends Pick<Endpoint, 'method' | 'path'>>(endpoints: readonly E[]): E[] {
  const shaped = endpoints.map((endpoint) => ({ endpoint, shape: shapeOf(endpoint.path) }));
  shaped.sort(
    (a, b) =>
      compareShapes(a.shape, b.shape) ||
      compareText(a.endpoint.method, b.endpoint.method) ||
      compareText(a.endpoint.path, b.endpoint.path),
  );
  for (let i = 1; i < shaped.length; i++) {
    const [before, after] = [shaped[i - 1], shaped[i]];
    if (before && after && before.endpoint.method === after.endpoint.method && compareShapes(before.shape, after.shape) === 0) {
      // Both would match the same requests: only their order would pick one, which is what this module rules out.
      throw new AmbiguousRoutesError(before.endpoint.method, before.endpoint.path, after.endpoint.path);
    }
  }
  return shaped.map(({ endpoint }) => endpoint);
}

/** Two endpoints of one method whose paths match the same requests (`/a/:x` and `/a/:y`). */
export class AmbiguousRoutesError extends Error {
  constructor(
    readonly method: Method,
    readonly first: string,
    readonly second: string,
  ) {
    super(`${method.toUpperCase()} ${first} and ${second} match the same requests`);
    this.name = 'AmbiguousRoutesError';
  }
}

function shapeOf(path: string): Shape {
  const segments = path.split('/').filter((segment) => segment !== '');
  const kinds = segments.map(kindOf);
  return { kinds, literals: segments.map((segment, i) => (kinds[i] === LITERAL ? segment : '')) };
}

function kindOf(segment: string): SegmentKind {
  if (segment.includes('*')) return WILDCARD;
  if (segment.includes(':') || segment.includes('{')) return PARAMETER;
  return LITERAL;
}

function compareShapes(a: Shape, b: Shape): number {
  const length = Math.min(a.kinds.length, b.kinds.length);
  for (let i = 0; i < length; i++) {
    const byKind = (a.kinds[i] ?? 0) - (b.kinds[i] ?? 0);
    if (byKind !== 0) return byKind;
    const byText = compareText(a.literals[i] ?? '', b.literals[i] ?? '');
    if (byText !== 0) return byText;
  }
  return a.kinds.length - b.kinds.length;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
