import { z } from 'zod';
import type { SearchPosition } from '../projections/search/searchStore.js';
import {
  describeProblem,
  isSearchText,
  MAX_SEARCH_TEXT_LENGTH,
  MAX_SEARCH_WORDS,
  parseSearchText,
} from '../projections/search/searchText.js';
import { queryIntegerOr } from './queryInteger.js';

// GET /api/chat/search (API.md "Conversations"): `q`, `roomId?`, `before?` (the opaque cursor of the previous page's
// nextCursor), `limit`, and `order` (this service's addition: `date`, newest first as the contract says, by default;
// `relevance`, best match first).

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 50;

const position = z.union([
  z.strictObject({ o: z.literal('d'), b: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  z.strictObject({
    o: z.literal('r'),
    t: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    n: z.number().int().min(1).max(1_000_000),
  }),
]);

/** The opaque cursor clients pass back as `before`: base64url of a small JSON document. */
export function encodeSearchCursor(at: SearchPosition): string {
  const json = at.order === 'date' ? { o: 'd', b: at.below } : { o: 'r', t: at.top, n: at.offset };
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

export function decodeSearchCursor(cursor: string): SearchPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = position.safeParse(json);
  if (!parsed.success) return undefined;
  const at = parsed.data;
  return at.o === 'd' ? { order: 'date', below: at.b } : { order: 'relevance', top: at.t, offset: at.n };
}

export const searchQuery = z.strictObject({
  q: z
    .string()
    .transform((value, context) => {
      const parsed = parseSearchText(value);
      if (isSearchText(parsed)) return parsed;
      context.addIssue({ code: 'custom', message: describeProblem(parsed) });
      return z.NEVER;
    })
    .meta({
      type: 'string',
      minLength: 1,
      maxLength: MAX_SEARCH_TEXT_LENGTH,
      description:
        `the words to find, all of them (at most ${MAX_SEARCH_WORDS}); "double quotes" for a phrase; the last word also ` +
        'matches words it begins unless the text ends in a space. Case and accents do not matter; anything but letters ' +
        'and digits only separates words (no operators)',
    }),
  roomId: z.string().min(1).max(200).optional().meta({ description: 'search this room only' }),
  before: z
    .string()
    .transform((value, context) => {
      const at = decodeSearchCursor(value);
      if (at !== undefined) return at;
      context.addIssue({ code: 'custom', message: 'not a cursor this search gave' });
      return z.NEVER;
    })
    .optional()
    .meta({
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{1,200}$',
      description: "the previous page's nextCursor, unchanged (with the same q, roomId and order); anything else is refused",
    }),
  limit: queryIntegerOr(DEFAULT_SEARCH_LIMIT, { min: 1, max: MAX_SEARCH_LIMIT }),
  order: z
    .enum(['date', 'relevance'])
    .default('date')
    .meta({ description: '`date`: newest first (the default); `relevance`: best match first among the newest matches' }),
});
