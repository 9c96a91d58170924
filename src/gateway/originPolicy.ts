/**
 * Which browser pages may open a socket. Browsers always send `Origin` on a WebSocket handshake, so checking it
 * stops another site's page from talking to the gateway from a victim's browser (cross-site WebSocket hijacking).
 * - no Origin: not a browser (a CLI, a server, a mobile app): allowed, it authenticates in-band like anyone;
 * - the server's own origin (Origin's host equals the Host header): allowed, so the service's own pages work;
 * - an origin listed in WS_ALLOWED_ORIGINS (scheme://host[:port]), or any origin when the list holds `*`;
 * - anything else, including the opaque origin `null` (sandboxed frames, file:// pages): refused with 403.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  const normalised = normaliseOrigin(origin);
  if (normalised === undefined) return false;
  if (allowed.some((entry) => normaliseOrigin(entry) === normalised)) return true;
  return host !== undefined && new URL(normalised).host === host.toLowerCase();
}

function normaliseOrigin(origin: string): string | undefined {
  if (origin === 'null') return undefined;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
