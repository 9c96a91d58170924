import type { Session } from './session.js';

// REST calls with the session's access token. A 401 asks the session for a fresh token once (session.ts decides
// which tab rotates it), then the call is retried.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The route does not exist on this server (a feature from another branch not merged yet): degrade quietly. */
  get missing(): boolean {
    return this.status === 404 && (this.code === 'NOT_FOUND' || this.code === 'HTTP_ERROR');
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

export class Api {
  constructor(private readonly session: Session) {}

  async call<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = this.session.accessToken();
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 && !retried && token !== null && (await this.session.refresh())) {
      return this.call<T>(method, path, body, true);
    }
    if (!response.ok) {
      const problem: ErrorBody = await response.json().catch(() => ({}));
      throw new ApiError(response.status, problem.error?.code ?? 'HTTP_ERROR', problem.error?.message ?? response.statusText);
    }
    const data: T = response.status === 204 ? undefined : await response.json();
    return data;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }
  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }
}

/** `/api/chat/rooms/{id}`-style paths with every part encoded. */
export function path(strings: TemplateStringsArray, ...parts: (string | number)[]): string {
  return strings.reduce((out, piece, index) => out + piece + (index < parts.length ? encodeURIComponent(String(parts[index])) : ''), '');
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
