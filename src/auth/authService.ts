import { createHash, randomBytes } from 'node:crypto';
import { AuthenticationError, ValidationError } from '../domain/errors.js';
import { NO_PASSWORD_HASH, type ProviderIdentity } from '../domain/identities.js';
import { normaliseUsername } from '../domain/ids.js';
import type { UserRole } from '../events/chatEvents.js';
import type { Clock, IdGenerator } from '../support/clock.js';
import { AccessTokens, type AccessPrincipal } from './accessTokens.js';
import type { LoginLockout } from './loginLockout.js';
import type { PasswordHasher } from './passwordHasher.js';
import { checkPasswordPolicy, type PasswordPolicy } from './passwordPolicy.js';
import type { TokenStore } from './tokenStore.js';

/** The account fields auth needs, as the users read model holds them. */
export interface Account {
  userId: string;
  username: string;
  email: string | null;
  displayName: string;
  /** The profile (ProfileUpdated): "" and null until the user sets them. */
  statusText: string;
  avatarUrl: string | null;
  role: UserRole;
  createdAt: string;
  passwordHash: string;
}

export interface AccountDirectory {
  getUser(userId: string): Promise<Account | undefined>;
  getUserByUsername(username: string): Promise<Account | undefined>;
}

export interface RegistrationInput {
  username: string;
  password: string;
  email: string | null;
  displayName: string | null;
}

/** A registration that passed the password policy, with the password already hashed. */
export interface AccountRegistration {
  /** Chosen by the caller when the account's id was reserved before (a provider sign-in claims its identity first). */
  userId?: string;
  /** The identity at a sign-in provider whose first sign-in this is (issue #18), linked in the same append. */
  identity?: ProviderIdentity;
  username: string;
  email: string | null;
  displayName: string;
  passwordHash: string;
  role: UserRole;
  commandId: string;
  correlationId: string;
}

/** Appends the registration events and returns the account once the read model has it. */
export type RegisterAccount = (input: AccountRegistration) => Promise<Account>;

/** Appends PasswordChanged for the user and resolves once the read model has the new hash. */
export type RecordPasswordChange = (input: { userId: string; passwordHash: string; correlationId: string }) => Promise<void>;

/**
 * Whether the user's personal data was erased, which closes the account for good. The user stream records it
 * (PersonalDataErased); the command side reads it there (commands/user/erasedAccounts.ts).
 */
export type IsAccountErased = (userId: string) => Promise<boolean>;

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  tokenType: 'Bearer';
}

export interface AuthServiceOptions {
  passwordMinLength: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  adminUsernames: string[];
}

const accountErased = (): AuthenticationError =>
  new AuthenticationError('ACCOUNT_ERASED', "this account's personal data was erased; the account is closed for good");

const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');
/** A one-time sign-in code's hash: a prefix of its own, so a code is never a refresh token nor the reverse. */
const signInCodeHash = (code: string): string => sha256(`oauth-sign-in-code:${code}`);

export class AuthService {
  /** Verified against when a username does not exist, so response time does not reveal which usernames do. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly options: AuthServiceOptions,
    private readonly accounts: AccountDirectory,
    private readonly registerAccount: RegisterAccount,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokens,
    private readonly tokens: TokenStore,
    private readonly lockout: LoginLockout,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly recordPasswordChange: RecordPasswordChange,
    private readonly isErased: IsAccountErased,
  ) {}

  /** The password rules registration and password changes hold new passwords to, for the edge to document. */
  get passwordPolicy(): PasswordPolicy {
    return { minLength: this.options.passwordMinLength };
  }

  async register(input: RegistrationInput, correlationId: string): Promise<Account> {
    checkPasswordPolicy(input.password, this.passwordPolicy);
    const admins = this.options.adminUsernames.map(normaliseUsername);
    return this.registerAccount({
      username: input.username,
      email: input.email,
      displayName: input.displayName ?? input.username,
      passwordHash: await this.hasher.hash(input.password),
      role: admins.includes(normaliseUsername(input.username)) ? 'admin' : 'user',
      // Registration has no client-chosen id: the username claim itself is what makes a retry harmless.
      commandId: this.ids.next(),
      correlationId,
    });
  }

  async login(username: string, password: string): Promise<{ tokens: TokenPair; account: Account }> {
    const key = normaliseUsername(username);
    await this.lockout.assertNotLocked(key);
    const account = await this.accounts.getUserByUsername(username);
    const valid = await this.verifyPassword(account, password);
    if (!account || !valid) {
      await this.lockout.recordFailure(key);
      throw new AuthenticationError('INVALID_CREDENTIALS', 'username or password is wrong');
    }
    // Only after the password: that an account was erased is for its owner to learn, not for whoever guesses names.
    await this.refuseErased(account.userId);
    await this.lockout.recordSuccess(key);
    return { tokens: await this.issue(account, this.ids.next()), account };
  }

  async refresh(refreshToken: string): Promise<{ tokens: TokenPair; account: Account }> {
    const now = this.clock.now();
    const next = this.newRefreshToken();
    const outcome = await this.tokens.rotateRefreshToken(
      sha256(refreshToken),
      { tokenHash: sha256(next), expiresAt: now + this.options.refreshTokenTtlSeconds * 1000 },
      now,
    );
    if (outcome.outcome === 'reused') {
      throw new AuthenticationError('TOKEN_REVOKED', 'refresh token was already used; its whole family is revoked');
    }
    if (outcome.outcome === 'invalid') throw new AuthenticationError('AUTH_FAILED', 'refresh token is not valid');
    if (outcome.outcome === 'revokedForUser') {
      // Whoever holds one of the account's tokens is its owner, to be told what sign-in tells them.
      await this.refuseErased(outcome.userId);
      throw new AuthenticationError('AUTH_FAILED', 'refresh token is not valid');
    }
    const account = await this.accounts.getUser(outcome.userId);
    if (!account) throw new AuthenticationError('AUTH_FAILED', 'refresh token is not valid');
    // The erasure voided the user's tokens already (the rotation above says revokedForUser then); this holds even
    // when that revocation went to another token store than this process's.
    if (await this.isErased(account.userId)) {
      await this.tokens.revokeFamily(outcome.familyId, now);
      throw accountErased();
    }
    return {
      tokens: this.tokenPair(account, outcome.familyId, next, now),
      account,
    };
  }

  /**
   * Changes the signed-in user's password: the current one must be right (a wrong one counts against the login
   * lockout like a failed login), the new one must pass the policy and differ from it. Every token the user holds,
   * on any device, is void afterwards; the caller gets a new pair so the device that changed it stays signed in.
   */
  async changePassword(
    principal: AccessPrincipal,
    change: PasswordChange,
    correlationId: string,
  ): Promise<{ tokens: TokenPair; account: Account }> {
    const account = await this.currentAccount(principal);
    const key = normaliseUsername(account.username);
    await this.lockout.assertNotLocked(key);
    if (!(await this.verifyPassword(account, change.currentPassword))) {
      await this.lockout.recordFailure(key);
      throw new AuthenticationError('INVALID_CREDENTIALS', 'the current password is wrong');
    }
    await this.lockout.recordSuccess(key);
    checkPasswordPolicy(change.newPassword, this.passwordPolicy);
    // The current password was just verified, so comparing the plain texts is comparing with the stored hash.
    if (change.newPassword === change.currentPassword) {
      throw new ValidationError('the new password must differ from the current one', { field: 'newPassword' });
    }
    const passwordHash = await this.hasher.hash(change.newPassword);
    // Revoke before recording: if recording fails, the user is signed out everywhere and the old password still
    // works, which is safe; the other order could leave a stolen session alive after a successful change.
    // The cutoff is the next millisecond, so a token issued in this very millisecond (the caller's, on a fast
    // login-then-change) is void too; the new pair is issued at the cutoff itself, the first instant still valid.
    const cutoff = this.clock.now() + 1;
    await this.tokens.revokeUserTokensIssuedBefore(account.userId, cutoff);
    await this.recordPasswordChange({ userId: account.userId, passwordHash, correlationId });
    const changed = await this.currentAccount(principal);
    return { tokens: await this.issue(changed, this.ids.next(), cutoff), account: changed };
  }

  /**
   * After a provider vouched for who signed in (issue #18) and `account` is theirs: a one-time code for the browser
   * to hand to its app, which exchanges it for tokens (exchangeSignInCode), so no token of ours is ever in a URL.
   * The same rules as a password sign-in: an erased account is closed (410), a locked one stays locked.
   * The code is the first link of a new refresh family, stored (hashed, with its own prefix so neither can be used
   * as the other) in the token store every process shares; it lives `ttlSeconds`.
   */
  async issueSignInCode(account: Account, ttlSeconds: number): Promise<string> {
    await this.refuseErased(account.userId);
    await this.lockout.assertNotLocked(normaliseUsername(account.username));
    const code = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.tokens.saveRefreshToken({
      tokenHash: signInCodeHash(code),
      familyId: this.ids.next(),
      userId: account.userId,
      expiresAt: now + ttlSeconds * 1000,
      issuedAt: now,
    });
    return code;
  }

  /**
   * Exchanges a one-time sign-in code for the pair of a login: rotating it is atomic, so of two exchanges exactly one
   * succeeds. A code used a second time is OAUTH_CODE_INVALID and revokes the tokens its first use gave (a replayed
   * code means it leaked), as a reused refresh token does.
   */
  async exchangeSignInCode(code: string): Promise<{ tokens: TokenPair; account: Account }> {
    const now = this.clock.now();
    const next = this.newRefreshToken();
    const outcome = await this.tokens.rotateRefreshToken(
      signInCodeHash(code),
      { tokenHash: sha256(next), expiresAt: now + this.options.refreshTokenTtlSeconds * 1000 },
      now,
    );
    if (outcome.outcome !== 'rotated') {
      throw new ValidationError('the sign-in code is unknown, was used already, or has expired', undefined, 'OAUTH_CODE_INVALID');
    }
    const account = await this.accounts.getUser(outcome.userId);
    if (!account) throw new ValidationError('the sign-in code is unknown, was used already, or has expired', undefined, 'OAUTH_CODE_INVALID');
    if (await this.isErased(account.userId)) {
      await this.tokens.revokeFamily(outcome.familyId, now);
      throw accountErased();
    }
    return { tokens: this.tokenPair(account, outcome.familyId, next, now), account };
  }

  /** Whether a session (a refresh family) has ended: logged out, or a reused token revoked it. */
  async isSessionRevoked(familyId: string): Promise<boolean> {
    return this.tokens.isFamilyRevoked(familyId);
  }

  async logout(principal: AccessPrincipal): Promise<void> {
    await this.tokens.blacklistAccessToken(principal.jti, principal.expiresAt * 1000);
    await this.tokens.revokeFamily(principal.familyId, this.clock.now());
  }

  async currentAccount(principal: AccessPrincipal): Promise<Account> {
    const account = await this.accounts.getUser(principal.userId);
    if (!account) throw new AuthenticationError('AUTH_FAILED', 'the account of this token no longer exists');
    return account;
  }

  /**
   * Checks a bearer token: signature, expiry, logout blacklist, the refresh family's revocation and the user-wide
   * revocation of a password change or an erasure. The three look-ups are independent, so they run side by side.
   * Only a token revoked user-wide costs a read of the user's stream, to tell an erased account (ACCOUNT_ERASED:
   * stop, signing in again will not help) from a changed password (TOKEN_REVOKED: sign in again).
   */
  async authenticate(accessToken: string): Promise<AccessPrincipal> {
    const now = this.clock.now();
    const principal = this.accessTokens.verify(accessToken, Math.floor(now / 1000));
    await this.assertNotRevoked(principal, now);
    return principal;
  }

  /**
   * authenticate() again for a principal it returned earlier, without its token: expiry and every revocation. A
   * live socket is checked this way at each heartbeat, and keeps the principal (a few ids), not the token.
   */
  async recheck(principal: AccessPrincipal): Promise<void> {
    const now = this.clock.now();
    AccessTokens.assertUnexpired(principal, Math.floor(now / 1000));
    await this.assertNotRevoked(principal, now);
  }

  private async assertNotRevoked(principal: AccessPrincipal, now: number): Promise<void> {
    const { blacklisted, familyRevoked, revokedForUser } = await this.tokens.revocationsOf(principal, now);
    if (revokedForUser) await this.refuseErased(principal.userId);
    if (blacklisted || familyRevoked || revokedForUser) {
      throw new AuthenticationError('TOKEN_REVOKED', 'access token has been revoked');
    }
  }

  /**
   * Whether `password` is the account's. A missing account, and one without a password (created by a provider
   * sign-in), are checked against a dummy hash, so the time taken does not tell them from a wrong password.
   */
  private async verifyPassword(account: Account | undefined, password: string): Promise<boolean> {
    if (account !== undefined && account.passwordHash !== NO_PASSWORD_HASH) return this.hasher.verify(account.passwordHash, password);
    await this.hasher.verify(await this.getDummyHash(), password);
    return false;
  }

  /**
   * ACCOUNT_ERASED once the user's stream records the erasure, or while an erasure is under way: it voids every
   * token forever (REVOKED_FOREVER) just before it records PersonalDataErased, and a check in between must not say
   * TOKEN_REVOKED (sign in again) to an account that is closing.
   */
  private async refuseErased(userId: string): Promise<void> {
    if ((await this.isErased(userId)) || (await this.tokens.isRevokedForever(userId))) throw accountErased();
  }

  /** A new family's first pair, issued at `now` (a password change passes the time it revoked the older ones at). */
  private async issue(account: Account, familyId: string, now: number = this.clock.now()): Promise<TokenPair> {
    const refreshToken = this.newRefreshToken();
    await this.tokens.saveRefreshToken({
      tokenHash: sha256(refreshToken),
      familyId,
      userId: account.userId,
      expiresAt: now + this.options.refreshTokenTtlSeconds * 1000,
      issuedAt: now,
    });
    return this.tokenPair(account, familyId, refreshToken, now);
  }

  private tokenPair(account: Account, familyId: string, refreshToken: string, now: number = this.clock.now()): TokenPair {
    const accessToken = this.accessTokens.sign(
      { userId: account.userId, role: account.role, jti: this.ids.next(), familyId, issuedAt: now },
      Math.floor(now / 1000),
    );
    return { accessToken, refreshToken, expiresIn: this.options.accessTokenTtlSeconds, tokenType: 'Bearer' };
  }

  private newRefreshToken(): string {
    return randomBytes(32).toString('base64url');
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(randomBytes(16).toString('hex'));
    return this.dummyHash;
  }
}
