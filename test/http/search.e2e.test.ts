import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';
import { createRoom, joinRoom, sendRest, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// GET /api/chat/search over real HTTP (API.md "Conversations", issue #17 item 5): only what the caller may read
// now, only current texts, newest first or by relevance, paged with an opaque cursor, bad input answered 400.

interface Found {
  messageId: string;
  text: string | null;
  roomId: string;
}

describe('search over REST', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let privateRoom: string;
  let publicRoom: string;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
    privateRoom = await createRoom(http, alice, 'private', { name: 'Secrets', members: [bob] });
    publicRoom = await createRoom(http, carol, 'public', { name: 'Lobby' });
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  function search(user: User, query: Record<string, string>) {
    return http.get(`/api/chat/search?${new URLSearchParams(query).toString()}`, { token: user.accessToken });
  }

  /** The search view follows the log at its own pace (no read-your-writes): ask until it shows what is expected. */
  async function searchUntil(user: User, query: Record<string, string>, expected: string[]): Promise<Found[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const response = await search(user, query);
      // The polls share the test user's search budget (10 per second) with the test's own searches: a refusal says
      // when to ask again.
      if (response.status === 429 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
        continue;
      }
      expect(response.status).toBe(200);
      const found: Found[] = response.body.messages;
      if (JSON.stringify(found.map((m) => m.messageId)) === JSON.stringify(expected) || Date.now() > deadline) {
        expect(found.map((m) => m.messageId)).toEqual(expected);
        return found;
      }
      // Within the search budget (10 per second per user).
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  it('finds only rooms the caller may read now: members of a private room, anyone signed in for a public one', async () => {
    const secret = await sendRest(http, alice, privateRoom, 'the Zanzibar plan', 'm-1');
    const open = await sendRest(http, carol, publicRoom, 'zanzibar is lovely', 'm-2');
    const found = await searchUntil(bob, { q: 'zanzibar' }, [open.messageId, secret.messageId]);
    expect(found[1]).toMatchObject({ roomId: privateRoom, text: 'the Zanzibar plan', deleted: false });
    // carol is in no private room with it; she still finds the public message, as she may read that room.
    await searchUntil(carol, { q: 'zanzibar' }, [open.messageId]);
    // Leaving the private room hides it at once, also in a search over one room.
    expect((await http.post(`/api/chat/rooms/${privateRoom}/leave`, { token: bob.accessToken })).status).toBe(204);
    await searchUntil(bob, { q: 'zanzibar' }, [open.messageId]);
    const refused = await search(bob, { q: 'zanzibar', roomId: privateRoom });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('NOT_MEMBER');
    expect((await search(bob, { q: 'zanzibar', roomId: 'no-such-room' })).body.error.code).toBe('NO_ROOM');
    await searchUntil(alice, { q: 'zanzibar', roomId: privateRoom }, [secret.messageId]);
  });

  it('never shows edited-away, deleted or erased text', async () => {
    const dave = await signUp(http, 'dave');
    await joinRoom(http, dave, publicRoom);
    const edited = await sendRest(http, carol, publicRoom, 'quokka sighting', 'e-1');
    const deleted = await sendRest(http, carol, publicRoom, 'quokka photo', 'e-2');
    const erased = await sendRest(http, dave, publicRoom, 'quokka by dave', 'e-3');
    await searchUntil(alice, { q: 'quokka' }, [erased.messageId, deleted.messageId, edited.messageId]);
    const patch = await http.patch(`/api/chat/messages/${encodeURIComponent(edited.messageId)}`, {
      token: carol.accessToken,
      body: { text: 'wombat sighting' },
    });
    expect(patch.status).toBe(200);
    expect((await http.delete(`/api/chat/messages/${encodeURIComponent(deleted.messageId)}`, { token: carol.accessToken })).status).toBe(204);
    await searchUntil(alice, { q: 'quokka' }, [erased.messageId]);
    const found = await searchUntil(alice, { q: 'wombat' }, [edited.messageId]);
    expect(found[0]?.text).toBe('wombat sighting');
    const erase = await runCli(['users', 'erase', 'dave', '--json'], { DATA_DIR: server.dataDir, EVENT_LOG: 'sqlite' });
    expect(erase.code).toBe(0);
    await searchUntil(alice, { q: 'quokka' }, []);
  });

  it('pages newest first with an opaque cursor, and ranks by relevance on request', async () => {
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await sendRest(http, carol, publicRoom, `platypus note ${i}`, `p-${i}`)).messageId);
    const best = await sendRest(http, carol, publicRoom, 'platypus platypus platypus', 'p-best');
    await searchUntil(alice, { q: 'platypus', limit: '50' }, [best.messageId, ...sent.reverse()]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await search(alice, { q: 'platypus', limit: '2', ...(cursor ? { before: cursor } : {}) });
      expect(response.status).toBe(200);
      expect(response.body.messages.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.messages.map((m: Found) => m.messageId));
      cursor = response.body.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual([best.messageId, ...sent]);
    const ranked = await search(alice, { q: 'platypus', order: 'relevance', limit: '1' });
    expect(ranked.body.messages.map((m: Found) => m.messageId)).toEqual([best.messageId]);
    const next = await search(alice, { q: 'platypus', order: 'relevance', limit: '10', before: ranked.body.nextCursor });
    expect(next.body.messages).toHaveLength(5);
    // A cursor of the other order is refused rather than misread.
    const mixed = await search(alice, { q: 'platypus', order: 'date', before: ranked.body.nextCursor });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.code).toBe('VALIDATION_FAILED');
    // Prefix of the last word, accents and case folded.
    await searchUntil(alice, { q: 'PLÂTY' }, [best.messageId, ...sent.slice(0, 5)].slice(0, 6));
  });

  it('answers bad input with 400 VALIDATION_FAILED, and query syntax as plain words', async () => {
    const badQueries: Array<Record<string, string>> = [{ q: '' }, { q: '   ' }, { q: '!!!' }, { q: 'x'.repeat(201) }, { q: 'a', limit: '0' }, { q: 'a', limit: '51' },
      { q: 'a', before: 'not-a-cursor' }, { q: 'a', order: 'best' }, { q: 'a', extra: '1' }, {}];
    for (const query of badQueries) {
      const response = await search(alice, query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    const erin = await signUp(http, 'erin');
    for (const q of ['NOT', 'a OR b', 'near(x y)', 'text:*', '"unbalanced', '^start', '{braces}', '%']) {
      const response = await search(erin, { q });
      expect([200, 400], `${q}: ${response.status} ${JSON.stringify(response.body)}`).toContain(response.status);
      if (response.status === 400) expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await http.get('/api/chat/search?q=x')).status).toBe(401);
  });

  it('limits searches per user like the other shared budgets (429 with Retry-After)', async () => {
    const frank = await signUp(http, 'frank');
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof search>> | undefined;
    for (let i = 0; i < 15 && limited === undefined; i++) {
      const response = await search(frank, { q: `burst${i}` });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(limited?.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('is in the OpenAPI document with its query parameters and 400', async () => {
    const document = await http.get('/api/openapi.json');
    const operation = document.body.paths['/api/chat/search'].get;
    expect(operation.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['before', 'limit', 'order', 'q', 'roomId']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '429']));
  });
});
