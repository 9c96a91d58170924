import * as client from 'openid-client';
import { ChatError, ProviderError, ValidationError } from '../../domain/errors.js';

// What a failure while talking to a provider means for the caller, as one of the sign-in's stable codes. openid-client
// throws its own classes (and fetch a TypeError when the provider is not there); each is mapped once, here.

/**
 * - the provider refused the authorization code (`invalid_grant`: used, expired, or issued to another client):
 *   400 OAUTH_CODE_INVALID;
 * - an ID token whose `nonce` is not this browser's: 400 OAUTH_STATE_MISMATCH, like a `state` that is not (the
 *   sign-in flow compares that one itself, before anything is sent to the provider): the answer belongs to another
 *   sign-in;
 * - anything else (unreachable, timed out, an error answer, an ID token that fails validation): 502
 *   OAUTH_PROVIDER_ERROR, the library's text kept for the logs only.
 */
export function providerFailure(providerId: string, error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  // GitHub says bad_verification_code for what OAuth 2.0 calls invalid_grant.
  if (error instanceof client.ResponseBodyError && (error.error === 'invalid_grant' || error.error === 'bad_verification_code')) {
    return new ValidationError(`${providerId} refused the authorization code: it was used, has expired, or is not ours`, { provider: providerId }, 'OAUTH_CODE_INVALID');
  }
  if (error instanceof client.AuthorizationResponseError) {
    return new ProviderError(`${providerId} did not sign the person in`, { provider: providerId, error: error.error }, { cause: error });
  }
  if (error instanceof client.ClientError && comparedClaim(error) === 'nonce') {
    return new ValidationError("the ID token's nonce is not this browser's sign-in", { provider: providerId }, 'OAUTH_STATE_MISMATCH');
  }
  return new ProviderError(`${providerId} could not complete the sign-in`, { provider: providerId }, { cause: error });
}

/** The claim a failed JWT claim comparison was about (oauth4webapi puts it in its cause's `claim`). */
function comparedClaim(error: client.ClientError): string | undefined {
  const cause: unknown = error.cause;
  if (typeof cause !== 'object' || cause === null || !('cause' in cause)) return undefined;
  const detail: unknown = cause.cause;
  if (typeof detail !== 'object' || detail === null) return undefined;
  return 'claim' in detail && typeof detail.claim === 'string' ? detail.claim : undefined;
}
