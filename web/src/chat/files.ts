import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../shared/api.js';
import type { Session } from '../shared/session.js';
import type { Attachment } from '../shared/types.js';

// Files (API.md "Files and images"): the service answers GET /api/files/... only with the access token, which an
// <img src> cannot send, so pictures are fetched with it and shown as blob: URLs (the CSP allows img-src 'self'
// blob:). Each URL is fetched once per page.

const blobs = new Map<string, Promise<string>>();

async function authedFetch(session: Session, url: string, init: RequestInit = {}, retried = false): Promise<Response> {
  const token = session.accessToken();
  const response = await fetch(url, { ...init, headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (response.status === 401 && !retried && (await session.refresh())) return authedFetch(session, url, init, true);
  return response;
}

export function blobUrlOf(session: Session, url: string): Promise<string> {
  let found = blobs.get(url);
  if (found === undefined) {
    found = authedFetch(session, url).then(async (response) => {
      if (!response.ok) throw new ApiError(response.status, 'HTTP_ERROR', `${url}: ${response.status}`);
      return URL.createObjectURL(await response.blob());
    });
    found.catch(() => blobs.delete(url));
    blobs.set(url, found);
  }
  return found;
}

/** A same-origin picture fetched with the token; null until it arrives (or when it cannot be had). */
export function useBlobUrl(session: Session, url: string | null): string | null {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    setSrc(null);
    if (url === null) return;
    let live = true;
    blobUrlOf(session, url).then((value) => live && setSrc(value), () => undefined);
    return () => {
      live = false;
    };
  }, [url]);
  return src;
}

/** POST /api/files; a server without files answers 404 (or 415: it takes JSON bodies only), said as such. */
export async function upload(session: Session, file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await authedFetch(session, '/api/files', { method: 'POST', body: form });
  if (response.status === 404 || response.status === 415) {
    const body: { error?: { code?: string } } = await response.json().catch(() => ({}));
    if (response.status === 404 || body.error?.code === 'UNSUPPORTED_MEDIA_TYPE') throw new ApiError(404, 'NOT_FOUND', 'files are not available on this server yet');
  }
  if (!response.ok) {
    const body: { error?: { code?: string; message?: string } } = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? response.statusText);
  }
  const { file: stored }: { file: Attachment } = await response.json();
  return stored;
}

/** Saves a file the service holds, fetched with the token, under its own name. */
export async function download(session: Session, file: Attachment): Promise<void> {
  const src = await blobUrlOf(session, file.url);
  const link = document.createElement('a');
  link.href = src;
  link.download = file.name;
  link.click();
}
