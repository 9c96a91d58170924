// The rules of a user's profile, in one place: the REST edge validates requests with them (400 before anything is
// sent to a writer) and the user decider applies them again, because it owns them and a command may come from
// anywhere on the commands topic. Pure: no I/O.

import { fileUrlOf } from '../../domain/ids.js';

/** Lengths are counted in Unicode code points, like message texts, so an emoji counts as one character. */
export const DISPLAY_NAME_MAX = 64;
export const STATUS_TEXT_MAX = 140;
export const AVATAR_URL_MAX = 2048;

export type ProfileField = 'displayName' | 'statusText' | 'avatarUrl';

export interface Profile {
  displayName: string;
  statusText: string;
  avatarUrl: string | null;
  /** An uploaded avatar (issue #16): then `avatarUrl` is its service URL, fileUrlOf(avatarFileId). */
  avatarFileId: string | null;
}

/**
 * What is wrong with a profile's avatar, or undefined: none, an outside http(s) URL, or an uploaded file whose URL
 * is the service's own download route for it (never an outside URL dressed as a file, or the other way round).
 */
export function avatarProblem(profile: Pick<Profile, 'avatarUrl' | 'avatarFileId'>): string | undefined {
  if (profile.avatarFileId === null) return profileFieldProblem('avatarUrl', profile.avatarUrl);
  return profile.avatarUrl === fileUrlOf(profile.avatarFileId)
    ? undefined
    : `an uploaded avatar's URL is ${fileUrlOf(profile.avatarFileId)}`;
}

const codePoints = (text: string): number => [...text].length;

/** The display name as stored: surrounding white space is dropped. */
export function normaliseDisplayName(displayName: string): string {
  return displayName.trim();
}

/** What is wrong with one field's value (already normalised), or undefined when it is acceptable. */
export function profileFieldProblem(field: ProfileField, value: string | null): string | undefined {
  switch (field) {
    case 'displayName': {
      if (value === null) return 'displayName cannot be null';
      const length = codePoints(value);
      return length < 1 || length > DISPLAY_NAME_MAX
        ? `displayName must be 1 to ${DISPLAY_NAME_MAX} characters after trimming, got ${length}`
        : undefined;
    }
    case 'statusText':
      if (value === null) return 'statusText cannot be null (send "" to clear it)';
      return codePoints(value) > STATUS_TEXT_MAX ? `statusText must be at most ${STATUS_TEXT_MAX} characters` : undefined;
    case 'avatarUrl':
      return value === null || isAvatarUrl(value)
        ? undefined
        : `avatarUrl must be null or an absolute http(s) URL of at most ${AVATAR_URL_MAX} printable ASCII characters`;
    default: {
      const unknownField: never = field;
      return `unknown field ${String(unknownField)}`;
    }
  }
}

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** A DNS label after its first character; never "--" in the third and fourth place (that is xn-- punycode's). */
const LABEL_REST = '(?:[A-Za-z0-9-](?:[A-Za-z0-9][A-Za-z0-9-]*|-(?:[A-Za-z0-9][A-Za-z0-9-]*)?)?)?';
const PORT = '(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';

/**
 * The avatar URL grammar: http or https, then a host name (its last label starting with a letter, so it never reads
 * as an IPv4 address) or a dotted IPv4 address, an optional port, then a path, query or fragment of printable ASCII.
 * No user info (`https://cdn.example.com@evil.example/`), no IPv6 literal. Every URL of this form parses, so the
 * grammar is the whole rule, and the REST document states it as the field's pattern. No lookarounds: the document's
 * readers (JavaScript, Python, Rust) read it alike.
 */
export const AVATAR_URL_PATTERN =
  `^[Hh][Tt][Tt][Pp][Ss]?://` +
  `(?:(?:[A-Za-z0-9]${LABEL_REST}\\.)*[A-Za-z]${LABEL_REST}|(?:${OCTET}\\.){3}${OCTET})` +
  `(?::${PORT})?(?:[/?#][\\x21-\\x7e]*)?$`;
const AVATAR_URL = new RegExp(AVATAR_URL_PATTERN);

/**
 * An absolute http or https URL in the grammar above, in printable ASCII (a URL's own alphabet: anything else is
 * percent-encoded by the client, which also keeps 2048 characters at 2048 bytes in every store). Clients put it in
 * an <img src>, so other schemes (javascript:, data:, file:) are refused; the service never fetches it.
 */
export function isAvatarUrl(value: string): boolean {
  if (value.length === 0 || value.length > AVATAR_URL_MAX || !AVATAR_URL.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
}

export function sameProfile(a: Profile, b: Profile): boolean {
  return (
    a.displayName === b.displayName &&
    a.statusText === b.statusText &&
    a.avatarUrl === b.avatarUrl &&
    a.avatarFileId === b.avatarFileId
  );
}
