// `new Date(ms).toISOString()` costs about 0.55 µs, and a history page formats fifty of them: a sixth of the page's
// view-building time (bench/README.md). The messages of a page were mostly written within a few minutes of each
// other, so the text up to the minute is remembered for the last few minutes asked and only the seconds and
// milliseconds are written each time. The prefix comes from toISOString itself, so every answer is exactly what
// toISOString gives (extended years and all).

const MS_PER_MINUTE = 60_000;
/** Minutes remembered; the oldest remembered is forgotten first. */
const REMEMBERED_MINUTES = 64;

const minutePrefixes = new Map<number, string>();

function prefixOf(minute: number): string {
  const known = minutePrefixes.get(minute);
  if (known !== undefined) return known;
  // "YYYY-MM-DDTHH:MM:" (or "+YYYYYY-…" outside years 0-9999): everything before the seconds.
  const iso = new Date(minute * MS_PER_MINUTE).toISOString();
  const prefix = iso.slice(0, iso.length - 'SS.sssZ'.length);
  if (minutePrefixes.size >= REMEMBERED_MINUTES) {
    const oldest = minutePrefixes.keys().next().value;
    if (oldest !== undefined) minutePrefixes.delete(oldest);
  }
  minutePrefixes.set(minute, prefix);
  return prefix;
}

/** `new Date(ms).toISOString()` for a whole number of milliseconds since the epoch, as fast as a string concat. */
export function isoTime(ms: number): string {
  if (!Number.isSafeInteger(ms)) return new Date(ms).toISOString();
  const minute = Math.floor(ms / MS_PER_MINUTE);
  const inMinute = ms - minute * MS_PER_MINUTE;
  const seconds = Math.floor(inMinute / 1000);
  const millis = inMinute - seconds * 1000;
  return `${prefixOf(minute)}${seconds < 10 ? '0' : ''}${seconds}.${millis < 100 ? (millis < 10 ? '00' : '0') : ''}${millis}Z`;
}
