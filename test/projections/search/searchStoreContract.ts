// The SearchStore contract: every adapter (SQLite FTS5, Oracle Text) runs this suite, so the search API behaves the
// same whichever store the composition root picks.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SearchOrder, SearchPage, SearchStore } from '../../../src/projections/search/searchStore.js';
import { isSearchText, parseSearchText, type SearchText } from '../../../src/projections/search/searchText.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

export interface SearchStoreUnderTest {
  store: SearchStore;
  cleanup: () => Promise<void>;
}

function text(q: string): SearchText {
  const parsed = parseSearchText(q);
  if (!isSearchText(parsed)) throw new Error(`test query ${q} does not parse: ${parsed.problem}`);
  return parsed;
}

export function searchStoreContract(name: string, makeStore: () => Promise<SearchStoreUnderTest>): void {
  describe(`SearchStore contract: ${name}`, () => {
    let store: SearchStore;
    let log: RecordedEventLog;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
      log = new RecordedEventLog({ startAt: Date.UTC(2026, 0, 1) });
      log.createRoom('r-priv', 'Private', 'private', 'u-alice');
      log.join('r-priv', 'u-bob');
      log.createRoom('r-pub', 'Public', 'public', 'u-carol');
    });

    afterEach(async () => {
      await cleanup();
    });

    async function project(): Promise<void> {
      await store.applyBatch(log.since(await store.checkpoint()));
    }

    async function ids(q: string, userId: string, options: { roomId?: string; order?: SearchOrder } = {}): Promise<string[]> {
      const page = await store.search({ text: text(q), userId, order: options.order ?? 'date', limit: 50, roomId: options.roomId });
      return page.hits.map((hit) => hit.messageId);
    }

    it('finds a word whatever its case and accents, and the last word as a prefix', async () => {
      const cafe = log.send('r-priv', 'u-alice', 'Meet at the Café tomorrow');
      log.send('r-priv', 'u-alice', 'nothing to see');
      await project();
      expect(await ids('cafe', 'u-bob')).toEqual([cafe.messageId]);
      expect(await ids('CAFÉ', 'u-bob')).toEqual([cafe.messageId]);
      expect(await ids('tomor', 'u-bob')).toEqual([cafe.messageId]);
      expect(await ids('tomor ', 'u-bob')).toEqual([]);
      expect(await ids('"the café"', 'u-bob')).toEqual([cafe.messageId]);
      expect(await ids('"café the"', 'u-bob')).toEqual([]);
    });

    it('searches only rooms the user may read now: members of a private room, anyone in a public one', async () => {
      const secret = log.send('r-priv', 'u-alice', 'launch codes');
      const open = log.send('r-pub', 'u-carol', 'launch party');
      await project();
      expect(await ids('launch', 'u-bob')).toEqual([open.messageId, secret.messageId]);
      expect(await ids('launch', 'u-dave')).toEqual([open.messageId]);
      log.leave('r-priv', 'u-bob');
      await project();
      expect(await ids('launch', 'u-bob')).toEqual([open.messageId]);
      expect(await ids('launch', 'u-alice')).toEqual([open.messageId, secret.messageId]);
    });

    it('narrows to one room with roomId', async () => {
      log.send('r-pub', 'u-carol', 'apples in public');
      const inPrivate = log.send('r-priv', 'u-alice', 'apples in private');
      await project();
      expect(await ids('apples', 'u-alice', { roomId: 'r-priv' })).toEqual([inPrivate.messageId]);
    });

    it('indexes the current text only: an edit replaces it, a delete and an erasure remove it', async () => {
      const edited = log.send('r-priv', 'u-alice', 'original wording');
      const deleted = log.send('r-priv', 'u-bob', 'wording to delete');
      const erased = log.send('r-pub', 'u-bob', 'wording of bob');
      await project();
      expect(await ids('wording', 'u-alice')).toHaveLength(3);
      log.edit('r-priv', edited.seq, 'revised phrasing', 'u-alice');
      log.delete('r-priv', deleted.seq, 'u-bob');
      await project();
      expect(await ids('original', 'u-alice')).toEqual([]);
      expect(await ids('revised', 'u-alice')).toEqual([edited.messageId]);
      expect(await ids('wording', 'u-alice')).toEqual([erased.messageId]);
      log.erasePersonalData('u-bob');
      await project();
      expect(await ids('wording', 'u-alice')).toEqual([]);
      expect(await ids('bob', 'u-alice')).toEqual([]);
    });

    it('pages newest first in date order, with no message twice', async () => {
      const sent = Array.from({ length: 7 }, (_, i) => log.send('r-pub', 'u-carol', `page test number ${i}`));
      await project();
      const seen: string[] = [];
      let page: SearchPage = await store.search({ text: text('page test'), userId: 'u-dave', order: 'date', limit: 3 });
      seen.push(...page.hits.map((hit) => hit.messageId));
      while (page.next !== undefined) {
        page = await store.search({ text: text('page test'), userId: 'u-dave', order: 'date', limit: 3, from: page.next });
        seen.push(...page.hits.map((hit) => hit.messageId));
      }
      expect(seen).toEqual(sent.map((message) => message.messageId).reverse());
    });

    it('ranks by relevance and pages through the ranking', async () => {
      const weak = log.send('r-pub', 'u-carol', 'a long message that mentions kiwi once among many other words of little interest');
      const strong = log.send('r-pub', 'u-carol', 'kiwi kiwi kiwi');
      const middle = log.send('r-pub', 'u-carol', 'kiwi and melon');
      await project();
      expect(await ids('kiwi', 'u-dave', { order: 'relevance' })).toEqual([strong.messageId, middle.messageId, weak.messageId]);
      const first = await store.search({ text: text('kiwi'), userId: 'u-dave', order: 'relevance', limit: 2 });
      expect(first.hits.map((hit) => hit.messageId)).toEqual([strong.messageId, middle.messageId]);
      if (first.next === undefined) throw new Error('expected a second page');
      const second = await store.search({ text: text('kiwi'), userId: 'u-dave', order: 'relevance', limit: 2, from: first.next });
      expect(second.hits.map((hit) => hit.messageId)).toEqual([weak.messageId]);
      expect(second.next).toBeUndefined();
    });

    it('treats query syntax as plain words, never as an error', async () => {
      const hit = log.send('r-pub', 'u-carol', 'near the NOT and OR column');
      await project();
      for (const q of ['NOT', 'near(', 'text:column', '"unbalanced', 'OR*', '{near}', 'a AND b^', 'col%umn']) {
        await expect(ids(q, 'u-dave')).resolves.toBeInstanceOf(Array);
      }
      expect(await ids('NOT and', 'u-dave')).toEqual([hit.messageId]);
    });

    it('applies a re-delivered batch once', async () => {
      const message = log.send('r-pub', 'u-carol', 'only once');
      await store.applyBatch(log.since());
      await store.applyBatch(log.since());
      expect(await ids('once', 'u-dave')).toEqual([message.messageId]);
      expect(await store.checkpoint()).toEqual({ 0: log.events.at(-1)?.position });
    });
  });
}
