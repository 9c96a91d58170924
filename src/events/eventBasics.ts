// The shared vocabulary of the event catalogue (chatEvents.ts): roles, room kinds and sealed personal data.

export type UserRole = 'user' | 'admin' | 'auditor' | 'analyst';

export type RoomKind = 'public' | 'private' | 'direct';

export type RoomRole = 'owner' | 'moderator' | 'member';

/**
 * Personal data as stored (crypto-shredding, src/privacy): AES-256-GCM under the key of `keyOwner`, a user whose
 * key lives outside the log. When a payload carries one, its plaintext field is stored empty; the log's reader
 * (SealingEventLog) puts the plaintext back, or marks the payload `erased` once the key is destroyed.
 */
export interface SealedValue {
  keyOwner: string;
  /** 12 random bytes. */
  iv: Buffer;
  ciphertext: Buffer;
  /** The 16-byte GCM authentication tag. */
  tag: Buffer;
}
