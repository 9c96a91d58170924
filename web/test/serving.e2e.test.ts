import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/testServer.js';

// How the service serves the built client (web/build.ts → dist/web): the pages, their strict policy, the icon.

describe('the built client as served', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop({ removeData: true }));

  it('serves / and /admin with a policy that allows only this origin and no inline script', async () => {
    for (const [path, script] of [['/', '/assets/chat.js'], ['/admin', '/assets/admin.js']] as const) {
      const response = await fetch(`${server.baseUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self';");
      expect(policy).toContain("style-src 'self';");
      expect(policy).toContain("img-src 'self' blob:;");
      expect(policy).not.toContain('unsafe-inline');
      const html = await response.text();
      expect(html).toContain(`<script src="${script}" type="module"></script>`);
      // Every script element loads a file: none carries code of its own.
      expect(html.match(/<script[^>]*>[^<]+<\/script>/g)).toBeNull();
      expect((await fetch(`${server.baseUrl}${script}`)).status).toBe(200);
    }
  });

  it('has a favicon', async () => {
    const response = await fetch(`${server.baseUrl}/favicon.ico`);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]); // ICONDIR: reserved 0, type 1 (icon)
    expect(bytes.length).toBeGreaterThan(1000);
  });
});
