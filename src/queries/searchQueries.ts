import type { AccessPrincipal } from '../auth/accessTokens.js';
import { ChatError } from '../domain/errors.js';
import type { HistoryStore, MessageView } from '../projections/history/historyStore.js';
import type { SearchOrder, SearchPosition, SearchStore } from '../projections/search/searchStore.js';
import type { SearchText } from '../projections/search/searchText.js';
import type { RateLimiter } from '../ratelimit/rateLimiter.js';
import { roomUse, type RoomUse } from './roomAccess.js';

// Full-text search (issue #17): the search view finds the messages, then every hit is checked against the history
// view as it is now, with the same rule as reading a room (roomAccess.ts, roomUse), and shown as history shows it. The two
// views follow the log each at its own pace, so this second look keeps a search from showing what history already
// hides: a room the caller has just left, a message just deleted, edited away or erased.

const READING: RoomUse = { publicRoomsOpenTo: 'anyone', action: 'search this room' };

export interface SearchMessagesRequest {
  text: SearchText;
  roomId?: string;
  order: SearchOrder;
  limit: number;
  from?: SearchPosition;
}

export interface SearchResult {
  /** In the requested order. A page may hold fewer than `limit` and still have a next one (see SCAN_BUDGET). */
  messages: MessageView[];
  next?: SearchPosition;
}

export interface SearchQueriesDeps {
  search: Pick<SearchStore, 'search'>;
  history: Pick<HistoryStore, 'getRoomUse' | 'getMessage'>;
  /** Searches per user: each is heavier than a page of history. */
  limiter: RateLimiter;
}

export class SearchQueries {
  constructor(private readonly deps: SearchQueriesDeps) {}

  async search(principal: AccessPrincipal, request: SearchMessagesRequest): Promise<SearchResult> {
    await this.deps.limiter.consume(principal.userId);
    const { history } = this.deps;
    // Within one room, the caller must be let in first: NO_ROOM or NOT_MEMBER, as reading its history would say.
    if (request.roomId !== undefined) await roomUse(history, request.roomId, principal.userId, READING);
    const page = await this.deps.search.search({ ...request, userId: principal.userId });
    const readable = new Map<string, Promise<boolean>>();
    const mayRead = (roomId: string) => {
      let answer = readable.get(roomId);
      if (answer === undefined) {
        answer = roomUse(history, roomId, principal.userId, READING).then(
          () => true,
          (error: unknown) => {
            if (error instanceof ChatError && (error.code === 'NOT_MEMBER' || error.code === 'NO_ROOM')) return false;
            throw error;
          },
        );
        readable.set(roomId, answer);
      }
      return answer;
    };
    const shown = await Promise.all(
      page.hits.map(async (hit) => {
        if (!(await mayRead(hit.roomId))) return undefined;
        const message = await history.getMessage(hit.roomId, hit.seq);
        return message === undefined || message.deleted || message.erased ? undefined : message;
      }),
    );
    const messages = shown.filter((message) => message !== undefined);
    return page.next === undefined ? { messages } : { messages, next: page.next };
  }
}
