// Helpers for suites that run against the real schema registry (SCHEMA_REGISTRY_URL).

import { randomUUID } from 'node:crypto';

/**
 * A subject prefix no other run uses, so suites can register (and break) event subjects without meeting each other
 * or a service that shares the registry. Ends with a dot: `<prefix>chat.events.MessageSent`.
 */
export function uniqueSubjectPrefix(label: string): string {
  return `test-${label}-${randomUUID()}.`;
}

/**
 * Removes test subjects so the registry does not grow with every run. Confluent first soft-deletes, then deletes
 * for good with `?permanent=true`; Apicurio's ccompat API deletes at the first call and answers 404 to the second.
 * Best effort: a failure here must not hide the test's own result.
 */
export async function deleteSubjects(url: string, subjects: Iterable<string>): Promise<void> {
  for (const subject of subjects) {
    for (const query of ['', '?permanent=true']) {
      try {
        await fetch(`${url}/subjects/${encodeURIComponent(subject)}${query}`, {
          method: 'DELETE',
          signal: AbortSignal.timeout(5000),
        });
      } catch {
        // The registry went away; nothing left to tidy.
      }
    }
  }
}

/** Every subject whose name starts with `prefix`. */
export async function subjectsWithPrefix(url: string, prefix: string): Promise<string[]> {
  const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(5000) });
  const body: unknown = await response.json();
  if (!Array.isArray(body)) throw new Error(`GET ${url}/subjects answered ${JSON.stringify(body)}`);
  return body.filter((subject): subject is string => typeof subject === 'string' && subject.startsWith(prefix));
}
