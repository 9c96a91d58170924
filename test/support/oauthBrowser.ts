// A browser as far as sign-in with a provider needs one (issue #18): it keeps cookies per host (the service's sealed
// state cookie, the provider's session), follows redirects one at a time so a test can stop at any of them, and fills
// in oidc-provider's development login and consent forms. Only loopback servers are ever visited.

export type Navigation = { stoppedAt: URL } | { response: Response; url: URL };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class TestBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  /** A GET with this browser's cookies for the host; redirects are not followed. */
  async get(url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(new URL(url), { method: 'GET', headers });
  }

  /** Any bodiless request, as a page's script would send it (same origin, so cookies go along and are kept). */
  async request(method: string, url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(new URL(url), { method, headers });
  }

  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.fetch(new URL(url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** The value of a cookie this browser holds for `url`'s host. */
  cookie(url: string | URL, name: string): string | undefined {
    return this.jars.get(new URL(url).host)?.get(name);
  }

  forget(url: string | URL, name: string): void {
    this.jars.get(new URL(url).host)?.delete(name);
  }

  /**
   * Follows redirects from `start`, signing in at the provider as `login` (and consenting) when it asks, until the
   * next URL satisfies `stopAt` (not fetched) or a page answers that is neither a redirect nor a provider form.
   */
  async navigate(start: string | URL, stopAt: (url: URL) => boolean, login: string): Promise<Navigation> {
    let url = new URL(start);
    for (let step = 0; step < 20; step++) {
      if (stopAt(url)) return { stoppedAt: url };
      const response = await this.get(url);
      const location = response.headers.get('location');
      if (REDIRECTS.has(response.status) && location !== null) {
        await response.body?.cancel();
        url = new URL(location, url);
        continue;
      }
      if (response.status === 200 && url.pathname.startsWith('/interaction/')) {
        const page = await response.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
        const prompt = /name="prompt" value="([a-z]+)"/.exec(page)?.[1];
        if (action === undefined || prompt === undefined) throw new Error(`no form on the provider's page: ${page.slice(0, 300)}`);
        const submitted = await this.post(new URL(action.replaceAll('&amp;', '&'), url), { prompt, login, password: 'any password' });
        const next = submitted.headers.get('location');
        await submitted.body?.cancel();
        if (next === null) throw new Error(`the provider's form answered ${submitted.status} without a redirect`);
        url = new URL(next, url);
        continue;
      }
      return { response, url };
    }
    throw new Error(`too many redirects from ${String(start)}`);
  }

  private async fetch(url: URL, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`the test browser visits loopback only, not ${url.host}`);
    const jar = this.jars.get(url.host) ?? new Map<string, string>();
    this.jars.set(url.host, jar);
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      method: init.method,
      redirect: 'manual',
      headers: { ...init.headers, ...(cookie === '' ? {} : { cookie }) },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((attribute) => /^max-age=0$/i.test(attribute) || /^expires=.*1970/i.test(attribute)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }
}

/** The `error` of a service error answer (`{"error": {"code", "message", "details?"}}`). */
export async function errorOf(response: Response): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  const body: unknown = await response.json();
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error: unknown = body.error;
    if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
      const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
      const details = 'details' in error && typeof error.details === 'object' && error.details !== null ? { ...error.details } : undefined;
      return details === undefined ? { code: error.code, message } : { code: error.code, message, details };
    }
  }
  throw new Error(`not an error answer: ${JSON.stringify(body)}`);
}
