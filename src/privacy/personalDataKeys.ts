// Crypto-shredding (issue #7): personal data in events is sealed with a per-user key kept OUTSIDE the log.
// Destroying the key makes every sealed copy unreadable, in the log and in every backup of it, while the stored
// bytes (and so the hash chains over them) stay exactly as they were.

/** The state of one user's key. `destroyed` is final: no new key is ever created for that user. */
export type KeyState = { readonly state: 'present'; readonly key: Buffer } | { readonly state: 'destroyed' } | { readonly state: 'absent' };

/** AES-256: 32 bytes. */
export const KEY_BYTES = 32;

/**
 * The key store port. Adapters: SQLite (embedded, its own file next to the log) and Redis (shared by every process).
 * Both pass test/privacy/personalDataKeysContract.ts. An erasure made by another process (the CLI, another api
 * instance) must be seen by the next read everywhere: Redis caches nothing, and SQLite caches only while no other
 * connection has committed to its file.
 */
export interface PersonalDataKeys {
  /**
   * The user's key, created on first use (concurrent first uses agree on one key).
   * Throws PersonalDataErasedError when the user's key was destroyed.
   */
  keyFor(userId: string): Promise<Buffer>;
  /** The current state of each asked user's key, in one round trip. Never creates a key. */
  lookup(userIds: readonly string[]): Promise<Map<string, KeyState>>;
  /**
   * Destroys the user's key for good (also when none was created yet: none ever will be). Idempotent; says whether
   * this call was the one that destroyed it.
   */
  destroy(userId: string, at: number): Promise<{ destroyedNow: boolean }>;
  close(): Promise<void>;
}
