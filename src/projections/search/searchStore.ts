// The search view's port: a full-text index of the messages' current texts, with enough of the rooms and their
// members to search only what a caller may read. A projection of its own (its own checkpoint, rebuilt like the
// others), so the history view's tables and its projector stay as they are. Every adapter (SQLite FTS5 embedded,
// Oracle Text distributed) passes test/projections/search/searchStoreContract.ts.

import type { ProjectionStore } from '../projector.js';
import type { SearchText } from './searchText.js';

/** `relevance`: best match first (the engine's own score); `date`: newest first. */
export type SearchOrder = 'relevance' | 'date';

/**
 * Where the next page starts, as the store left it (the edge wraps it in an opaque cursor):
 * - date order: below this document number (documents are numbered in the order the index received them);
 * - relevance order: the ranking of the matches up to `top` (fixed by the first page, so new messages do not move
 *   later pages), from `offset` on.
 */
export type SearchPosition = { order: 'date'; below: number } | { order: 'relevance'; top: number; offset: number };

export interface SearchRequest {
  text: SearchText;
  /** Only rooms this user may read now: members of any room, and anyone for public rooms. */
  userId: string;
  /** Only this room (the caller's access to it is checked before, against the history view). */
  roomId?: string;
  order: SearchOrder;
  /** A positive integer; the edge caps it. */
  limit: number;
  /** Continue a search; its order must be `order`. */
  from?: SearchPosition;
}

export interface SearchHit {
  roomId: string;
  seq: number;
  messageId: string;
}

export interface SearchPage {
  /** In the requested order. */
  hits: SearchHit[];
  /** Where the next page starts; absent on the last page. */
  next?: SearchPosition;
}

/**
 * Relevance ranks the newest readable matches only, at most this many: scoring every match of a common word over a
 * million messages costs more than a search may take (bench/search.ts: reading the window costs a few µs a row on
 * the 2-core machine), and what people look for is mostly recent. Date order has no such bound.
 */
export const RELEVANCE_WINDOW = 300;

export interface SearchStore extends ProjectionStore {
  search(request: SearchRequest): Promise<SearchPage>;
  close(): Promise<void>;
}
