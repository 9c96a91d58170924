import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSearchStore } from '../src/projections/search/sqlite/sqliteSearchStore.js';
import { ensureSearchSchema, roomToken } from '../src/projections/search/sqlite/sqliteSearchSchema.js';
import type { SearchOrder, SearchPosition } from '../src/projections/search/searchStore.js';
import { isSearchText, parseSearchText } from '../src/projections/search/searchText.js';
import { Histogram } from './lib/histogram.js';
import type { BenchResult, Row } from './lib/report.js';

// Issue #17 item 5: a search over 1,000,000 messages answers in p99 ≤ 50 ms. Seeds the embedded search store
// (SQLite FTS5, the store's own schema) directly with 1,000,000 messages in bulk, then runs searches through the
// store's own `search` as the API does, one after another in this process, and reports p50/p99 and CPU per query.
//
// The corpus: 1,000 rooms (every tenth public), 2,000 users in 10 rooms each, messages of 6 to 14 words drawn
// from a 5,000-word vocabulary with Zipf frequencies (s = 1), so a few words are in most messages, "common" words
// (ranks 10-40) in roughly 3-10 % of them, and "rare" words (ranks 3,000-5,000) in a few hundred. The searching
// user is a member of 20 private rooms and, like everyone, may read the 100 public ones.

export interface SearchBenchOptions {
  quick: boolean;
  /** Messages seeded. */
  messages?: number | undefined;
}

const ROOMS = 1000;
const USERS = 2000;
const ROOMS_PER_USER = 10;
const VOCABULARY = 5000;
const QUERIES_PER_CASE = 300;
const WARMUP = 30;
const LIMIT = 20;
const TARGET_P99_MS = 50;
const ME = 'u-bench';

/** A small deterministic PRNG (mulberry32), so every run searches the same corpus. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function vocabulary(next: () => number): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words = new Set<string>();
  while (words.size < VOCABULARY) {
    const length = 4 + Math.floor(next() * 6);
    let word = '';
    for (let i = 0; i < length; i++) word += letters[Math.floor(next() * 26)];
    words.add(word);
  }
  return [...words];
}

function zipfSampler(next: () => number): () => number {
  const cdf = new Float64Array(VOCABULARY);
  let sum = 0;
  for (let rank = 0; rank < VOCABULARY; rank++) {
    sum += 1 / (rank + 1);
    cdf[rank] = sum;
  }
  return () => {
    const target = next() * sum;
    let low = 0;
    let high = VOCABULARY - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cdf[mid] ?? 0) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

const roomId = (n: number) => `room-${n}`;
const isPublic = (n: number) => n % 10 === 0;
/** The searching user's rooms: 20 private ones spread over the range. */
const myRooms = Array.from({ length: 20 }, (_, i) => 1 + i * 50);

export function seed(file: string, messages: number, words: string[]): { seconds: number; counts: Map<number, number> } {
  const started = Date.now();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  ensureSearchSchema(db);
  const next = random(17);
  const rank = zipfSampler(next);
  const counts = new Map<number, number>();
  const addRoom = db.prepare('INSERT INTO search_rooms (room_id, public) VALUES (?, ?)');
  const addMember = db.prepare('INSERT OR IGNORE INTO search_members (user_id, room_id) VALUES (?, ?)');
  const addDoc = db.prepare('INSERT INTO search_docs (doc, message_id, room_id, seq, sender_id, text) VALUES (?, ?, ?, ?, ?, ?)');
  const addText = db.prepare('INSERT INTO search_fts (rowid, text, room) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let n = 0; n < ROOMS; n++) addRoom.run(roomId(n), isPublic(n) ? 1 : 0);
    for (let u = 0; u < USERS; u++) for (let k = 0; k < ROOMS_PER_USER; k++) addMember.run(`u-${u}`, roomId(Math.floor(next() * ROOMS)));
    for (const n of myRooms) addMember.run(ME, roomId(n));
  })();
  const seqs = new Array<number>(ROOMS).fill(0);
  const tokens = Array.from({ length: ROOMS }, (_, n) => roomToken(roomId(n)));
  const BATCH = 20_000;
  for (let from = 1; from <= messages; from += BATCH) {
    db.transaction(() => {
      for (let doc = from; doc < Math.min(from + BATCH, messages + 1); doc++) {
        const room = Math.floor(next() * ROOMS);
        const seq = (seqs[room] = (seqs[room] ?? 0) + 1);
        const length = 6 + Math.floor(next() * 9);
        const seen = new Set<number>();
        const text: string[] = [];
        for (let i = 0; i < length; i++) {
          const r = rank();
          text.push(words[r] ?? '');
          if (!seen.has(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
          seen.add(r);
        }
        const joined = text.join(' ');
        addDoc.run(doc, `${roomId(room)}.${seq}`, roomId(room), seq, `u-${Math.floor(next() * USERS)}`, joined);
        addText.run(doc, joined, tokens[room]);
      }
    })();
  }
  // What a long-running store would have done by itself over time: fewer, larger b-tree segments.
  db.exec("INSERT INTO search_fts (search_fts) VALUES ('optimize')");
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { seconds: (Date.now() - started) / 1000, counts };
}

interface Case {
  name: string;
  order: SearchOrder;
  room: 'all' | 'member room' | 'public room';
  /** The words searched, one query each in turn. */
  queries: string[];
  /** Ask for the second page (the cursor of the first). */
  secondPage?: boolean;
}

export async function runSearchBench(options: SearchBenchOptions, log: (line: string) => void): Promise<BenchResult> {
  const messages = options.messages ?? (options.quick ? 100_000 : 1_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-bench-search-'));
  const file = path.join(dir, 'search.db');
  const words = vocabulary(random(5));
  log(`search: seeding ${messages} messages into ${file}`);
  const seeded = seed(file, messages, words);
  const sizeMiB = statSync(file).size / 2 ** 20;
  log(`search: seeded in ${seeded.seconds.toFixed(1)} s (${sizeMiB.toFixed(0)} MiB); searching`);
  const pick = (from: number, to: number) => words.slice(from, to);
  const prefixes = pick(100, 130).map((word) => word.slice(0, 3));
  const cases: Case[] = [];
  for (const order of ['date', 'relevance'] as const) {
    cases.push(
      { name: 'very common word (ranks 0-4)', order, room: 'all', queries: pick(0, 5) },
      { name: 'common word (ranks 10-40)', order, room: 'all', queries: pick(10, 40) },
      { name: 'rare word (ranks 3000-5000)', order, room: 'all', queries: pick(3000, 5000) },
      { name: 'two words, common + mid', order, room: 'all', queries: pick(10, 40).map((word, i) => `${word} ${words[300 + i] ?? ''}`) },
      { name: '3-letter prefix (type-ahead)', order, room: 'all', queries: prefixes },
      { name: 'very common word', order, room: 'member room', queries: pick(0, 5) },
      { name: 'common word', order, room: 'member room', queries: pick(10, 40) },
      { name: 'rare word', order, room: 'member room', queries: pick(3000, 5000) },
      { name: 'common word', order, room: 'public room', queries: pick(10, 40) },
    );
  }
  cases.push({ name: 'common word, page 2', order: 'date', room: 'all', queries: pick(10, 40), secondPage: true });
  cases.push({ name: 'common word, page 2', order: 'relevance', room: 'all', queries: pick(10, 40), secondPage: true });

  const store = new SqliteSearchStore({ filename: file });
  const rows: Row[] = [];
  let worstP99 = 0;
  try {
    for (const testCase of cases) {
      const histogram = new Histogram();
      let hits = 0;
      let cpuUs = 0;
      for (let i = 0; i < WARMUP + QUERIES_PER_CASE; i++) {
        const q = testCase.queries[i % testCase.queries.length] ?? '';
        const text = parseSearchText(q);
        if (!isSearchText(text)) throw new Error(`bench query ${q} does not parse`);
        const room =
          testCase.room === 'all' ? undefined : testCase.room === 'member room' ? roomId(myRooms[i % myRooms.length] ?? 1) : roomId(10 * (i % 100));
        const request = { text, userId: ME, roomId: room, order: testCase.order, limit: LIMIT };
        let from: SearchPosition | undefined;
        if (testCase.secondPage === true) from = (await store.search(request)).next;
        const cpuBefore = process.cpuUsage();
        const started = process.hrtime.bigint();
        const page = await store.search({ ...request, from });
        const elapsedUs = Number(process.hrtime.bigint() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        if (i < WARMUP) continue;
        histogram.record(elapsedUs);
        cpuUs += cpu.user + cpu.system;
        hits += page.hits.length;
      }
      const summary = histogram.summary();
      worstP99 = Math.max(worstP99, summary.p99Ms);
      const matches = testCase.queries
        .slice(0, 5)
        .map((q) => seeded.counts.get(words.indexOf(q.split(' ')[0] ?? '')) ?? 0)
        .filter((count) => count > 0);
      rows.push({
        case: testCase.name,
        order: testCase.order,
        rooms: testCase.room,
        'messages matching (first words, approx.)': matches.length > 0 ? Math.round(matches.reduce((a, b) => a + b, 0) / matches.length) : null,
        queries: summary.count,
        'hits/page': Math.round((10 * hits) / summary.count) / 10,
        'p50 ms': summary.p50Ms,
        'p99 ms': summary.p99Ms,
        'max ms': summary.maxMs,
        'CPU ms/query': cpuUs / summary.count / 1000,
      });
      log(`search: ${testCase.name} (${testCase.order}, ${testCase.room}): p50 ${summary.p50Ms.toFixed(2)} ms, p99 ${summary.p99Ms.toFixed(2)} ms`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    settings: { messages, rooms: ROOMS, publicRooms: ROOMS / 10, users: USERS, vocabulary: VOCABULARY, queriesPerCase: QUERIES_PER_CASE, limit: LIMIT },
    rows,
    ratios: { [`worst p99 / ${TARGET_P99_MS} ms bound (lower is better)`]: worstP99 / TARGET_P99_MS },
    notes: [
      `Seeded in ${seeded.seconds.toFixed(1)} s straight into the store's tables (bulk INSERTs, then FTS5 'optimize'); search.db ${sizeMiB.toFixed(0)} MiB.`,
      'Searches run one at a time in the bench process through SqliteSearchStore.search (what GET /api/chat/search calls); latency is wall time, CPU is this process\'s user + system time per query.',
      `The searching user reads 20 private rooms and the 100 public ones (about 12 % of the messages); ${LIMIT} hits per page.`,
    ],
  };
}
