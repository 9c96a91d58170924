import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

// A sign-in's state between its start and the provider's redirect back (issue #18), kept in the browser that
// started it: a short-lived HttpOnly, SameSite=Lax cookie, sealed with AES-256-GCM under a key derived from the
// service's secret. Sealed, not just signed: it holds the PKCE verifier and the nonce, which only this service
// should read. Being in the cookie is what binds the sign-in to that browser: the callback compares its `state`
// with the one sealed here, so an answer meant for another browser, or a forged one, is refused. Any api process
// with the same secret can open it, so a sign-in may start and end on different processes.

export const SIGN_IN_COOKIE = 'chat_oauth';
/** The cookie is sent only to the callbacks. */
export const SIGN_IN_COOKIE_PATH = '/api/auth/oauth/';
/** Long enough to sign in at the provider (a password, a second factor), short enough not to linger. */
export const SIGN_IN_TTL_SECONDS = 600;

const signInStateSchema = z.object({
  provider: z.string(),
  state: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
  redirectUri: z.string(),
  /** Epoch ms after which the callback refuses it. */
  expiresAt: z.number(),
  /** Set when a signed-in user links an identity to their account instead of signing in. */
  link: z.object({ userId: z.string(), familyId: z.string() }).optional(),
});
export type SignInState = z.infer<typeof signInStateSchema>;

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SignInStateSealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, so the cookie and the access tokens never share one even though both come from JWT_SECRET.
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'chat-service oauth sign-in state', 32));
  }

  seal(state: SignInState): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  /** The state, or undefined when the value was not sealed by this service's secret, or is malformed or expired. */
  open(sealed: string, now: number): SignInState | undefined {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(plaintext);
    } catch {
      return undefined;
    }
    const parsed = signInStateSchema.safeParse(json);
    if (!parsed.success || parsed.data.expiresAt <= now) return undefined;
    return parsed.data;
  }
}

/** The Set-Cookie value that stores the sealed state (Secure when the service is reached over https). */
export function signInCookie(sealed: string, secure: boolean): string {
  return [
    `${SIGN_IN_COOKIE}=${sealed}`,
    `Path=${SIGN_IN_COOKIE_PATH}`,
    `Max-Age=${SIGN_IN_TTL_SECONDS}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The Set-Cookie value that removes it: a sign-in's state is used once. */
export function clearedSignInCookie(secure: boolean): string {
  return [`${SIGN_IN_COOKIE}=`, `Path=${SIGN_IN_COOKIE_PATH}`, 'Max-Age=0', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');
}

/** The sign-in cookie's value in a Cookie header, if there is exactly one. */
export function signInCookieOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  const values = cookieHeader
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${SIGN_IN_COOKIE}=`))
    .map((pair) => pair.slice(SIGN_IN_COOKIE.length + 1));
  return values.length === 1 ? values[0] : undefined;
}
