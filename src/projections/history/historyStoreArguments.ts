// Argument checks and paging every HistoryStore adapter applies the same way, so SQLite and Oracle refuse bad
// input with the same errors and page identically (the event log's twin is src/eventlog/logArguments.ts).

import { ValidationError } from '../../domain/errors.js';
import type { RoomsPage, RoomView } from './historyStore.js';

/** Adapters fetch limit + 1 rows: the extra one only says whether another page follows. */
export function pageOfRooms<R extends RoomView>(rooms: R[], limit: number): RoomsPage<R> {
  return { rooms: rooms.slice(0, limit), hasMore: rooms.length > limit };
}

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ValidationError('limit must be a positive integer', { limit });
  }
  return limit;
}

export function checkSeq(name: 'before' | 'after', seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new ValidationError(`${name} must be a non-negative integer`, { [name]: seq });
  }
}
