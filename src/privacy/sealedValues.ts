// AES-256-GCM for one personal data field (pure apart from the random nonce). The additional authenticated data
// binds a sealed value to its event and field, so a ciphertext copied into another event, or from `text` to
// `email`, fails authentication instead of decrypting somewhere it was never written.

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from '../support/randomPool.js';
import type { SealedValue } from '../events/chatEvents.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The personal data fields that are sealed, named as the AAD names them. */
export type SealedField = 'text' | 'email' | 'name' | 'names';

function aad(eventId: string, field: SealedField): Buffer {
  return Buffer.from(`chat.personal-data.v1\u0000${eventId}\u0000${field}`, 'utf8');
}

export function sealValue(key: Buffer, keyOwner: string, plaintext: string, eventId: string, field: SealedField): SealedValue {
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(eventId, field));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyOwner, iv, ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext, or undefined when the value fails authentication (changed bytes, another event, another key). */
export function openValue(key: Buffer, sealed: SealedValue, eventId: string, field: SealedField): string | undefined {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(eventId, field));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
