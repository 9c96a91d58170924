import { ChatError } from '../domain/errors.js';

/** Personal data of a user whose key is destroyed cannot be sealed: nothing personal of theirs is stored any more. */
export class PersonalDataErasedError extends ChatError {
  constructor(readonly userId: string) {
    super('PERSONAL_DATA_ERASED', `the personal data of user ${userId} was erased; nothing personal of theirs is stored any more`, {
      userId,
    });
  }
}

/**
 * A sealed value failed AES-GCM authentication: its ciphertext, tag, iv or the event it belongs to was changed
 * after sealing (or it was sealed with another key). Never shown as plaintext or as erased: it is an error.
 */
export class SealedValueTamperedError extends ChatError {
  constructor(details: { userId: string; eventId: string; field: string }) {
    super('PERSONAL_DATA_TAMPERED', `the sealed ${details.field} of event ${details.eventId} fails authentication`, details);
  }
}

/** A user id that cannot name a key (empty, too long, control characters). */
export class InvalidKeyOwnerError extends ChatError {
  constructor(userId: string) {
    super('VALIDATION_FAILED', 'a personal data key needs a user id of 1 to 200 printable characters', {
      length: userId.length,
    });
  }
}

export function checkKeyOwner(userId: string): void {
  // eslint-disable-next-line no-control-regex
  if (userId.length === 0 || userId.length > 200 || /[\u0000-\u001f\u007f]/.test(userId)) throw new InvalidKeyOwnerError(userId);
}

/**
 * A sealed value names a key owner the key store has never heard of: the store is not the one the log was written
 * with (another DATA_DIR, another Redis or key prefix) or lost its data. Not read as erased: that would hide it.
 */
export class PersonalDataKeyMissingError extends ChatError {
  constructor(details: { userId: string; eventId: string; field: string }) {
    super(
      'PERSONAL_DATA_KEY_MISSING',
      `no personal data key for user ${details.userId} (event ${details.eventId}): is PERSONAL_DATA_KEYS pointing at the store this log was written with?`,
      details,
    );
  }
}
