// Small pure helpers the pages share; unit-tested in web/test/format.unit.test.ts.

export interface Named {
  userId: string;
  username: string;
  displayName?: string;
}

/** What a person is called on screen: their display name, or their username when they set none. */
export function nameOf(person: Named | undefined, fallback = 'unknown user'): string {
  if (person === undefined) return fallback;
  const display = person.displayName?.trim();
  return display ? display : person.username;
}

/** One or two letters for an avatar without a picture. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/[\s._-]+/u).filter((word) => word.length > 0);
  const letters = words.slice(0, 2).map((word) => [...word][0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** "14:05" today, "Mon 14:05" this week, "3 Dec 14:05" before, "3 Dec 2025" in another year. */
export function timeLabel(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (at.toDateString() === now.toDateString()) return time;
  const days = (now.getTime() - at.getTime()) / 86_400_000;
  if (days >= 0 && days < 6) return `${at.toLocaleDateString('en-GB', { weekday: 'short' })} ${time}`;
  if (at.getFullYear() === now.getFullYear()) return `${at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${time}`;
  return at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

/** "last seen 5 min ago" and friends, for presence. */
export function lastSeenLabel(iso: string | null, now: Date = new Date()): string {
  if (iso === null) return 'never seen';
  const minutes = Math.round((now.getTime() - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return 'last seen just now';
  if (minutes < 60) return `last seen ${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `last seen ${hours} h ago`;
  return `last seen ${timeLabel(iso, now)}`;
}

/**
 * Only pictures this origin serves are shown: the page's CSP allows images from 'self' alone, so an external URL
 * would be refused anyway (and would tell a third party who looks at whose profile). Uploads (PUT
 * /api/users/me/avatar, API.md "Files and images") give URLs on the service.
 */
export function localImageUrl(url: string | null | undefined, origin: string): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, origin);
    return parsed.origin === origin ? parsed.pathname + parsed.search : null;
  } catch {
    return null;
  }
}

/** Who is typing, as a sentence. */
export function typingLabel(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
