// The roles one `chat serve` process can take (DESIGN.md "One binary, two ways to run"). Any number of processes
// may run each role; a process runs one or several. Without ROLES/--roles a process runs all of them: the
// embedded all-in-one of `npm start`.

export const ROLE_NAMES = ['api', 'gateway', 'command-processor', 'projector:history', 'projector:analytics'] as const;

export type Role = (typeof ROLE_NAMES)[number];

/** Written instead of the whole list (`--roles all`). */
export const ALL_ROLES_ALIAS = 'all';

export type ParsedRoles = { ok: true; roles: Role[] } | { ok: false; unknown: string[] } | { ok: false; empty: true };

function isRole(name: string): name is Role {
  return ROLE_NAMES.some((role) => role === name);
}

/**
 * Reads a comma-separated role list. The result keeps ROLE_NAMES' order (so logs and health read the same whatever
 * order was typed) and drops repeats; names are matched exactly, since they also name metrics and log fields.
 */
export function parseRoles(value: string): ParsedRoles {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0) return { ok: false, empty: true };
  if (names.includes(ALL_ROLES_ALIAS)) {
    const others = names.filter((name) => name !== ALL_ROLES_ALIAS && !isRole(name));
    return others.length > 0 ? { ok: false, unknown: others } : { ok: true, roles: [...ROLE_NAMES] };
  }
  const unknown = names.filter((name) => !isRole(name));
  if (unknown.length > 0) return { ok: false, unknown: [...new Set(unknown)] };
  return { ok: true, roles: ROLE_NAMES.filter((role) => names.includes(role)) };
}

/** True when a process runs every role: the embedded all-in-one (the only shape the SQLite log allows). */
export function runsAllRoles(roles: readonly Role[]): boolean {
  return ROLE_NAMES.every((role) => roles.includes(role));
}
