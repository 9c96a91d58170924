import type { TokenPair, User } from './types.js';

// Where the tokens live, and why (docs/clients.md, "The browser client"):
// - in this tab's memory, which is what every request reads;
// - mirrored into this tab's sessionStorage, so a reload of the tab stays signed in (sessionStorage is per origin
//   and per tab: no other origin, and no other tab, reads it);
// - shared with the other open tabs of this origin over a BroadcastChannel (same-origin only), so a new tab asks the
//   open ones and is signed in too. When the last tab closes, the session is gone: signing in again is the price of
//   never writing a refresh token where it outlives the tabs (localStorage) or travels in a URL.
// Refresh tokens rotate and reusing a rotated one revokes the whole family, so only one tab, the leader (a Web Lock
// held for the tab's life), ever calls /api/auth/refresh; the others ask it over the channel and adopt its answer.

const STORAGE_KEY = 'chat.session';
const CHANNEL = 'chat.session';
const LEADER_LOCK = 'chat.session.leader';

type SessionMessage =
  | { kind: 'ask' }
  | { kind: 'pair'; pair: TokenPair }
  | { kind: 'refresh'; stale: string }
  | { kind: 'signed-out' };

export class Session {
  private pair: TokenPair | null = null;
  private leader = false;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly channel: BroadcastChannel | null;

  constructor(private readonly refreshCall: (refreshToken: string) => Promise<TokenPair>) {
    this.pair = readStored();
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
    this.channel?.addEventListener('message', (event: MessageEvent<SessionMessage>) => this.onMessage(event.data));
    if (typeof navigator !== 'undefined' && navigator.locks) {
      void navigator.locks.request(LEADER_LOCK, () => {
        this.leader = true;
        return new Promise<void>(() => undefined); // held until the tab goes away
      });
    } else {
      this.leader = true; // no Web Locks (an insecure origin): every tab refreshes for itself
    }
  }

  user(): User | null {
    return this.pair?.user ?? null;
  }

  accessToken(): string | null {
    return this.pair?.accessToken ?? null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Signed in already (this tab, a reload), or signed in by another open tab within `waitMs`. */
  async restore(waitMs = 400): Promise<boolean> {
    if (this.pair !== null || this.channel === null) return this.pair !== null;
    this.post({ kind: 'ask' });
    await this.waitFor(() => this.pair !== null, waitMs);
    return this.pair !== null;
  }

  set(pair: TokenPair): void {
    this.adopt(pair);
    this.post({ kind: 'pair', pair });
  }

  updateUser(user: User): void {
    if (this.pair === null) return;
    this.set({ ...this.pair, user });
  }

  clear(): void {
    this.forget();
    this.post({ kind: 'signed-out' });
  }

  /** A fresh access token: rotated by this tab when it leads, else by the leader on request. False: signed out. */
  async refresh(): Promise<boolean> {
    const stale = this.pair?.refreshToken;
    if (stale === undefined) return false;
    if (!this.leader) {
      this.post({ kind: 'refresh', stale });
      await this.waitFor(() => this.pair?.refreshToken !== stale, 5000);
      if (this.pair?.refreshToken !== stale) return this.pair !== null;
      if (!this.leader) return false;
    }
    return this.rotate();
  }

  private rotate(): Promise<boolean> {
    const stale = this.pair?.refreshToken;
    if (stale === undefined) return Promise.resolve(false);
    this.refreshing ??= this.refreshCall(stale)
      .then((pair) => {
        this.set(pair);
        return true;
      })
      .catch(() => {
        this.clear();
        return false;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  private onMessage(message: SessionMessage): void {
    switch (message.kind) {
      case 'ask':
        if (this.pair !== null) this.post({ kind: 'pair', pair: this.pair });
        break;
      case 'pair':
        this.adopt(message.pair);
        break;
      case 'refresh':
        if (!this.leader || this.pair === null) break;
        if (this.pair.refreshToken === message.stale) void this.rotate();
        else this.post({ kind: 'pair', pair: this.pair });
        break;
      case 'signed-out':
        this.forget();
        break;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  private adopt(pair: TokenPair): void {
    this.pair = pair;
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(pair));
    } catch {
      // storage full or disabled: memory alone still works for this tab
    }
    this.emit();
  }

  private forget(): void {
    const had = this.pair !== null;
    this.pair = null;
    sessionStorage.removeItem(STORAGE_KEY);
    if (had) this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private post(message: SessionMessage): void {
    this.channel?.postMessage(message);
  }

  private waitFor(done: () => boolean, ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (done()) return resolve();
      const stop = this.onChange(() => {
        if (!done()) return;
        stop();
        clearTimeout(timer);
        resolve();
      });
      const timer = setTimeout(() => {
        stop();
        resolve();
      }, ms);
    });
  }
}

function readStored(): TokenPair | null {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    if (text === null) return null;
    const value: unknown = JSON.parse(text);
    return isTokenPair(value) ? value : null;
  } catch {
    return null;
  }
}

function isTokenPair(value: unknown): value is TokenPair {
  if (typeof value !== 'object' || value === null) return false;
  return 'accessToken' in value && typeof value.accessToken === 'string' && 'refreshToken' in value && 'user' in value;
}
