import { createHash } from 'node:crypto';

// Identities at sign-in providers (issue #18): a provider's id for a person, its `subject`, is linked to one account.
// Pure: naming only.

/** The identity of a person at one configured provider: the provider's id here and its stable subject there. */
export interface ProviderIdentity {
  /** The configured provider's id (`google`, `github`, or an OIDC provider's configured id). */
  provider: string;
  /** The provider's stable, never reassigned id for the person (OIDC `sub`; GitHub's numeric user id). */
  subject: string;
}

/** A provider id: lower-case letters, digits and `_`, starting with a letter (it appears in routes and stream ids). */
export const PROVIDER_ID_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * The stream that makes an identity link to one account: its single writer decides every claim of it, so two
 * accounts can never hold the same identity. The subject is hashed into the id: a provider's subject may be up to
 * 255 characters of anything, and a stream id should be short and safe in every log.
 */
export function identityStreamId(identity: ProviderIdentity): string {
  const digest = createHash('sha256').update(identity.subject, 'utf8').digest('base64url');
  return `identity-${identity.provider}-${digest}`;
}

/**
 * The password hash of an account that has none (created by a provider sign-in), as in a shadow file: no password
 * hash ever equals it, so no password signs in. Not empty, because Oracle stores '' as NULL.
 */
export const NO_PASSWORD_HASH = '!';

export function sameIdentity(a: ProviderIdentity, b: ProviderIdentity): boolean {
  return a.provider === b.provider && a.subject === b.subject;
}
