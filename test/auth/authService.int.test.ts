import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccessTokens } from '../../src/auth/accessTokens.js';
import type { Account, AccountDirectory, RecordPasswordChange, RegisterAccount } from '../../src/auth/authService.js';
import { AuthService } from '../../src/auth/authService.js';
import { LoginLockout } from '../../src/auth/loginLockout.js';
import { Argon2PasswordHasher } from '../../src/auth/passwordHasher.js';
import { SqliteTokenStore } from '../../src/auth/sqlite/sqliteTokenStore.js';
import { ChatError, CommandRejectedError } from '../../src/domain/errors.js';
import { normaliseUsername } from '../../src/domain/ids.js';
import type { Clock, IdGenerator } from '../../src/support/clock.js';

const ACCESS_TTL = 15 * 60;
const REFRESH_TTL = 7 * 24 * 60 * 60;
const PASSWORD = 'Correct-Horse-42';
const SECRET = 'test-secret-of-at-least-thirty-two-characters';
const OPTIONS = {
  passwordMinLength: 12,
  accessTokenTtlSeconds: ACCESS_TTL,
  refreshTokenTtlSeconds: REFRESH_TTL,
  adminUsernames: ['Root'],
};

/**
 * Test scaffolding for the two ports the users read model and the command side provide: an in-memory account
 * directory and a RegisterAccount that writes straight into it.
 */
class InMemoryAccounts implements AccountDirectory {
  private readonly byId = new Map<string, Account>();
  private nextId = 1;

  async getUser(userId: string): Promise<Account | undefined> {
    return this.byId.get(userId);
  }

  async getUserByUsername(username: string): Promise<Account | undefined> {
    const wanted = normaliseUsername(username);
    return [...this.byId.values()].find((account) => normaliseUsername(account.username) === wanted);
  }

  readonly register: RegisterAccount = async (input) => {
    if (await this.getUserByUsername(input.username)) {
      throw new CommandRejectedError('USERNAME_TAKEN', 'username is taken');
    }
    const account: Account = {
      userId: `u-${this.nextId++}`,
      username: input.username,
      email: input.email,
      displayName: input.displayName,
      statusText: '',
      avatarUrl: null,
      role: input.role,
      createdAt: new Date(0).toISOString(),
      passwordHash: input.passwordHash,
    };
    this.byId.set(account.userId, account);
    return account;
  };
}

/** The code a promise rejects with; fails the test if it resolves. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ChatError) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('AuthService wired with argon2, JWT access tokens, the SQLite token store and the lockout', () => {
  let dir: string;
  let now: number;
  let accounts: InMemoryAccounts;
  let registerAccount: ReturnType<typeof vi.fn<RegisterAccount>>;
  let stores: SqliteTokenStore[];
  let auth: AuthService;
  let alice: Account;
  /** The users whose stream records PersonalDataErased, as the command side would read it. */
  let erased: Set<string>;

  const clock: Clock = { now: () => now };
  let idCounter = 0;
  const ids: IdGenerator = { next: () => `id-${++idCounter}` };

  /** Records a password change the way the users view would show it: the account gets the new hash. */
  const recordPasswordChange: RecordPasswordChange = async ({ userId, passwordHash }) => {
    const account = await accounts.getUser(userId);
    if (account) account.passwordHash = passwordHash;
  };

  const makeService = (options = OPTIONS): AuthService => {
    const store = new SqliteTokenStore(join(dir, 'auth.db'));
    stores.push(store);
    return new AuthService(
      options,
      accounts,
      registerAccount,
      new Argon2PasswordHasher(),
      new AccessTokens({ secret: SECRET, issuer: 'test', ttlSeconds: ACCESS_TTL }),
      store,
      new LoginLockout({ maxFailures: 5, lockoutSeconds: 15 * 60 }),
      clock,
      ids,
      recordPasswordChange,
      async (userId) => erased.has(userId),
    );
  };

  const register = (username: string, password = PASSWORD, service = auth): Promise<Account> =>
    service.register({ username, password, email: null, displayName: null }, `corr-${username}`);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auth-service-'));
    // A pinned clock: token expiry is driven by advancing `now`, never by waiting.
    now = Date.UTC(2025, 5, 1, 12, 0, 0);
    accounts = new InMemoryAccounts();
    registerAccount = vi.fn<RegisterAccount>(accounts.register);
    erased = new Set();
    stores = [];
    auth = makeService();
    alice = await register('alice');
  });

  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await rm(dir, { recursive: true, force: true });
  });

  describe('register', () => {
    it('stores an argon2id hash, never the password, with role user and the username as display name', async () => {
      expect(alice).toMatchObject({ username: 'alice', role: 'user', displayName: 'alice', email: null });
      expect(alice.passwordHash).toMatch(/^\$argon2id\$/);
      expect(alice.passwordHash).not.toContain(PASSWORD);
      expect(await new Argon2PasswordHasher().verify(alice.passwordHash, PASSWORD)).toBe(true);
      expect(registerAccount).toHaveBeenCalledWith(expect.objectContaining({ correlationId: 'corr-alice' }));
    });

    it('gives admin usernames the admin role, compared case-insensitively', async () => {
      const root = await register('root');
      expect(root.role).toBe('admin');
      const { tokens } = await auth.login('root', PASSWORD);
      expect((await auth.authenticate(tokens.accessToken)).role).toBe('admin');
      expect((await auth.authenticate((await auth.login('alice', PASSWORD)).tokens.accessToken)).role).toBe('user');
    });

    it('refuses a weak password with WEAK_PASSWORD and never calls registerAccount', async () => {
      registerAccount.mockClear();
      await expect(register('bob', 'password')).rejects.toMatchObject({
        code: 'WEAK_PASSWORD',
        details: { failed: expect.arrayContaining(['an upper-case letter', 'a digit', 'a symbol']) },
      });
      expect(registerAccount).not.toHaveBeenCalled();
      expect(await accounts.getUserByUsername('bob')).toBeUndefined();
    });

    it('applies the configured minimum length', async () => {
      const strict = makeService({ ...OPTIONS, passwordMinLength: 20 });
      registerAccount.mockClear();
      expect(await codeOf(register('bob', PASSWORD, strict))).toBe('WEAK_PASSWORD');
      expect(registerAccount).not.toHaveBeenCalled();
    });
  });

  describe('login', () => {
    it('returns a bearer pair for the right password, and the access token authenticates', async () => {
      const { tokens, account } = await auth.login('alice', PASSWORD);
      expect(account.userId).toBe(alice.userId);
      expect(tokens).toMatchObject({ expiresIn: ACCESS_TTL, tokenType: 'Bearer' });
      expect(tokens.refreshToken.length).toBeGreaterThanOrEqual(43);
      const principal = await auth.authenticate(tokens.accessToken);
      expect(principal).toMatchObject({ userId: alice.userId, role: 'user' });
      expect(principal.expiresAt).toBe(Math.floor(now / 1000) + ACCESS_TTL);
      expect(await auth.currentAccount(principal)).toEqual(alice);
    });

    it('refuses a wrong password with INVALID_CREDENTIALS', async () => {
      expect(await codeOf(auth.login('alice', 'Wrong-Password-1'))).toBe('INVALID_CREDENTIALS');
    });

    it('refuses an unknown user with the same code and message as a wrong password', async () => {
      const wrong = await auth.login('alice', 'Wrong-Password-1').catch((error: unknown) => error);
      const unknown = await auth.login('nobody', PASSWORD).catch((error: unknown) => error);
      expect(unknown).toBeInstanceOf(ChatError);
      expect(unknown).toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(unknown instanceof Error && wrong instanceof Error && unknown.message === wrong.message).toBe(true);
    });

    it('locks the account after 5 failures: even the right password is then ACCOUNT_LOCKED', async () => {
      for (let i = 0; i < 5; i++) {
        expect(await codeOf(auth.login('alice', `Wrong-Password-${i}`))).toBe('INVALID_CREDENTIALS');
      }
      await expect(auth.login('alice', PASSWORD)).rejects.toMatchObject({
        code: 'ACCOUNT_LOCKED',
        retryAfterSeconds: expect.any(Number),
      });
    });

    it('counts failures per normalised username, so changing the case does not dodge the lock', async () => {
      for (const name of ['alice', 'Alice', 'ALICE', 'aLiCe', 'ａｌｉｃｅ']) {
        expect(await codeOf(auth.login(name, 'Wrong-Password-1'))).toBe('INVALID_CREDENTIALS');
      }
      expect(await codeOf(auth.login('alice', PASSWORD))).toBe('ACCOUNT_LOCKED');
    });

    it('does not lock other accounts', async () => {
      await register('bob');
      for (let i = 0; i < 5; i++) await codeOf(auth.login('alice', 'Wrong-Password-1'));
      expect((await auth.login('bob', PASSWORD)).account.username).toBe('bob');
    });

    it('a success before the 5th failure resets the count', async () => {
      for (let i = 0; i < 4; i++) await codeOf(auth.login('alice', 'Wrong-Password-1'));
      await auth.login('alice', PASSWORD);
      for (let i = 0; i < 4; i++) await codeOf(auth.login('alice', 'Wrong-Password-1'));
      expect((await auth.login('alice', PASSWORD)).account.userId).toBe(alice.userId);
    });

    it('locks unknown usernames too, so a lock does not reveal whether an account exists', async () => {
      for (let i = 0; i < 5; i++) expect(await codeOf(auth.login('nobody', PASSWORD))).toBe('INVALID_CREDENTIALS');
      expect(await codeOf(auth.login('nobody', PASSWORD))).toBe('ACCOUNT_LOCKED');
    });
  });

  describe('access tokens', () => {
    it('expire after their lifetime with TOKEN_EXPIRED; the refresh token still gets a fresh one', async () => {
      const { tokens } = await auth.login('alice', PASSWORD);
      now += (ACCESS_TTL - 1) * 1000;
      expect((await auth.authenticate(tokens.accessToken)).userId).toBe(alice.userId);
      now += 1000;
      expect(await codeOf(auth.authenticate(tokens.accessToken))).toBe('TOKEN_EXPIRED');
      const refreshed = await auth.refresh(tokens.refreshToken);
      expect((await auth.authenticate(refreshed.tokens.accessToken)).userId).toBe(alice.userId);
    });

    it('are checked again without the token (a live socket keeps only the principal): expiry at the same second as authenticate, and logout', async () => {
      const { tokens } = await auth.login('alice', PASSWORD);
      const principal = await auth.authenticate(tokens.accessToken);
      now += (ACCESS_TTL - 1) * 1000;
      await expect(auth.recheck(principal)).resolves.toBeUndefined();
      now += 1000;
      expect(await codeOf(auth.recheck(principal))).toBe('TOKEN_EXPIRED');
      expect(await codeOf(auth.authenticate(tokens.accessToken))).toBe('TOKEN_EXPIRED');

      const fresh = await auth.login('alice', PASSWORD);
      const live = await auth.authenticate(fresh.tokens.accessToken);
      await auth.logout(live);
      expect(await codeOf(auth.recheck(live))).toBe('TOKEN_REVOKED');
    });

    it('refuses garbage with AUTH_FAILED', async () => {
      expect(await codeOf(auth.authenticate('not-a-token'))).toBe('AUTH_FAILED');
    });
  });

  describe('refresh', () => {
    it('rotates: a new pair in the same family, and the old refresh token stops working', async () => {
      const first = await auth.login('alice', PASSWORD);
      const second = await auth.refresh(first.tokens.refreshToken);
      expect(second.account.userId).toBe(alice.userId);
      expect(second.tokens.refreshToken).not.toBe(first.tokens.refreshToken);
      expect(second.tokens.accessToken).not.toBe(first.tokens.accessToken);
      const p1 = await auth.authenticate(first.tokens.accessToken);
      const p2 = await auth.authenticate(second.tokens.accessToken);
      expect(p2.familyId).toBe(p1.familyId);
      expect(p2.jti).not.toBe(p1.jti);

      const third = await auth.refresh(second.tokens.refreshToken);
      expect((await auth.authenticate(third.tokens.accessToken)).familyId).toBe(p1.familyId);
    });

    it('reuse of a rotated refresh token is TOKEN_REVOKED and revokes the whole family', async () => {
      const first = await auth.login('alice', PASSWORD);
      const second = await auth.refresh(first.tokens.refreshToken);

      expect(await codeOf(auth.refresh(first.tokens.refreshToken))).toBe('TOKEN_REVOKED');
      // The legitimate holder's newer tokens die with the family.
      expect(await codeOf(auth.refresh(second.tokens.refreshToken))).toBe('AUTH_FAILED');
      expect(await codeOf(auth.authenticate(second.tokens.accessToken))).toBe('TOKEN_REVOKED');
      expect(await codeOf(auth.authenticate(first.tokens.accessToken))).toBe('TOKEN_REVOKED');
    });

    it('an unknown refresh token is AUTH_FAILED', async () => {
      expect(await codeOf(auth.refresh('made-up-refresh-token'))).toBe('AUTH_FAILED');
    });

    it('an expired refresh token is AUTH_FAILED', async () => {
      const { tokens } = await auth.login('alice', PASSWORD);
      now += REFRESH_TTL * 1000;
      expect(await codeOf(auth.refresh(tokens.refreshToken))).toBe('AUTH_FAILED');
    });

    it('a refresh token is valid for its whole lifetime and each rotation starts a new one', async () => {
      const { tokens } = await auth.login('alice', PASSWORD);
      now += (REFRESH_TTL - 1) * 1000;
      const refreshed = await auth.refresh(tokens.refreshToken);
      now += (REFRESH_TTL - 1) * 1000;
      expect((await auth.refresh(refreshed.tokens.refreshToken)).account.userId).toBe(alice.userId);
    });
  });

  describe('logout', () => {
    it('revokes the access token, every other access token of its family, and its refresh token', async () => {
      const first = await auth.login('alice', PASSWORD);
      const second = await auth.refresh(first.tokens.refreshToken);
      await auth.logout(await auth.authenticate(second.tokens.accessToken));

      expect(await codeOf(auth.authenticate(second.tokens.accessToken))).toBe('TOKEN_REVOKED');
      expect(await codeOf(auth.authenticate(first.tokens.accessToken))).toBe('TOKEN_REVOKED');
      expect(await codeOf(auth.refresh(second.tokens.refreshToken))).toBe('AUTH_FAILED');
    });

    it('leaves the tokens of another login (another family) working', async () => {
      const laptop = await auth.login('alice', PASSWORD);
      const phone = await auth.login('alice', PASSWORD);
      await auth.logout(await auth.authenticate(laptop.tokens.accessToken));

      expect((await auth.authenticate(phone.tokens.accessToken)).userId).toBe(alice.userId);
      const refreshed = await auth.refresh(phone.tokens.refreshToken);
      expect((await auth.authenticate(refreshed.tokens.accessToken)).userId).toBe(alice.userId);
    });

    it('is not forgotten when the service restarts on the same data directory', async () => {
      const { tokens } = await auth.login('alice', PASSWORD);
      await auth.logout(await auth.authenticate(tokens.accessToken));
      await Promise.all(stores.splice(0).map((store) => store.close()));

      const restarted = makeService();
      expect(await codeOf(restarted.authenticate(tokens.accessToken))).toBe('TOKEN_REVOKED');
      expect(await codeOf(restarted.refresh(tokens.refreshToken))).toBe('AUTH_FAILED');
    });
  });

  describe('changePassword', () => {
    const NEW_PASSWORD = 'Battery-Staple-77';
    const change = async (accessToken: string, currentPassword: string, newPassword: string, service = auth) =>
      service.changePassword(await service.authenticate(accessToken), { currentPassword, newPassword }, 'corr-change');

    it('records the new hash, voids every earlier token of the user (same millisecond included), and the new pair works', async () => {
      // The clock is pinned: login, refresh and the change all happen in one millisecond.
      const laptop = await auth.login('alice', PASSWORD);
      const phone = await auth.login('alice', PASSWORD);
      const bob = await register('bob').then(() => auth.login('bob', PASSWORD));
      const changed = await change(laptop.tokens.accessToken, PASSWORD, NEW_PASSWORD);
      // Whatever follows the answer happens at least a millisecond later.
      now += 1;

      expect(changed.account.userId).toBe(alice.userId);
      expect((await auth.authenticate(changed.tokens.accessToken)).userId).toBe(alice.userId);
      for (const old of [laptop, phone]) {
        expect(await codeOf(auth.authenticate(old.tokens.accessToken))).toBe('TOKEN_REVOKED');
        expect(await codeOf(auth.refresh(old.tokens.refreshToken))).toBe('AUTH_FAILED');
      }
      expect(await codeOf(auth.login('alice', PASSWORD))).toBe('INVALID_CREDENTIALS');
      expect((await auth.login('alice', NEW_PASSWORD)).account.userId).toBe(alice.userId);
      const refreshed = await auth.refresh(changed.tokens.refreshToken);
      expect((await auth.authenticate(refreshed.tokens.accessToken)).userId).toBe(alice.userId);
      // Another user's tokens are untouched.
      expect((await auth.authenticate(bob.tokens.accessToken)).userId).toBe(bob.account.userId);
    });

    it('refuses a wrong current password with INVALID_CREDENTIALS, counted by the login lockout', async () => {
      const { tokens } = await auth.login('alice', PASSWORD);
      for (let attempt = 1; attempt <= 4; attempt++) {
        expect(await codeOf(change(tokens.accessToken, 'Wrong-Password-1', NEW_PASSWORD))).toBe('INVALID_CREDENTIALS');
      }
      expect(await codeOf(auth.login('alice', 'Wrong-Password-1'))).toBe('INVALID_CREDENTIALS');
      // Five failures in all, four of them password changes: the account is locked for both.
      expect(await codeOf(auth.login('alice', PASSWORD))).toBe('ACCOUNT_LOCKED');
      expect(await codeOf(change(tokens.accessToken, PASSWORD, NEW_PASSWORD))).toBe('ACCOUNT_LOCKED');
      expect((await auth.authenticate(tokens.accessToken)).userId).toBe(alice.userId);
    });

    it('refuses a weak new password with WEAK_PASSWORD and the current one again with VALIDATION_FAILED, changing nothing', async () => {
      const { tokens } = await auth.login('alice', PASSWORD);
      expect(await codeOf(change(tokens.accessToken, PASSWORD, 'short'))).toBe('WEAK_PASSWORD');
      expect(await codeOf(change(tokens.accessToken, PASSWORD, PASSWORD))).toBe('VALIDATION_FAILED');
      expect((await auth.authenticate(tokens.accessToken)).userId).toBe(alice.userId);
      expect((await auth.login('alice', PASSWORD)).account.userId).toBe(alice.userId);
    });
  });
  describe('an erased account', () => {
    /** What UserAdministration.erase does to the token store and the user stream. */
    const erase = async (userId: string): Promise<void> => {
      await stores[0]?.revokeUserTokensIssuedBefore(userId, Number.MAX_SAFE_INTEGER);
      erased.add(userId);
    };

    it('refuses sign-in with ACCOUNT_ERASED, but only to the right password', async () => {
      await erase(alice.userId);
      expect(await codeOf(auth.login('alice', PASSWORD))).toBe('ACCOUNT_ERASED');
      // A wrong password learns nothing about the erasure, and still counts against the lockout.
      expect(await codeOf(auth.login('alice', 'Wrong-Password-1'))).toBe('INVALID_CREDENTIALS');
    });

    it('voids its access and refresh tokens, which answer ACCOUNT_ERASED; other users keep theirs', async () => {
      const laptop = await auth.login('alice', PASSWORD);
      const bob = await register('bob').then(() => auth.login('bob', PASSWORD));
      await erase(alice.userId);
      expect(await codeOf(auth.authenticate(laptop.tokens.accessToken))).toBe('ACCOUNT_ERASED');
      expect(await codeOf(auth.refresh(laptop.tokens.refreshToken))).toBe('ACCOUNT_ERASED');
      // Asked again, it still says why, and rotated nothing in between.
      expect(await codeOf(auth.refresh(laptop.tokens.refreshToken))).toBe('ACCOUNT_ERASED');
      expect((await auth.authenticate(bob.tokens.accessToken)).userId).toBe(bob.account.userId);
    });

    it('refuses a refresh with ACCOUNT_ERASED even when the revocation did not reach this token store, and ends the family', async () => {
      const { tokens } = await auth.login('alice', PASSWORD);
      erased.add(alice.userId);
      expect(await codeOf(auth.refresh(tokens.refreshToken))).toBe('ACCOUNT_ERASED');
      // The rotation happened before the check; its family is revoked, so neither token is any use afterwards.
      expect(await codeOf(auth.authenticate(tokens.accessToken))).toBe('TOKEN_REVOKED');
      expect(await codeOf(auth.refresh(tokens.refreshToken))).toBe('AUTH_FAILED');
    });

    // UserAdministration.erase voids the tokens, then records PersonalDataErased: in between, the stream does not
    // say so yet, and the account must already read as closing, not as a changed password (TOKEN_REVOKED).
    it('refuses a sign-in while an erasure is under way (tokens voided, the erasure not recorded yet)', async () => {
      await erase(alice.userId);
      erased.delete(alice.userId);
      expect(await codeOf(auth.login('alice', PASSWORD))).toBe('ACCOUNT_ERASED');
    });

    it('answers ACCOUNT_ERASED to tokens checked while an erasure is under way, also tokens issued in a race with it', async () => {
      const racing = await auth.login('alice', PASSWORD);
      await erase(alice.userId);
      erased.delete(alice.userId);
      now += 60_000;
      expect(await codeOf(auth.authenticate(racing.tokens.accessToken))).toBe('ACCOUNT_ERASED');
      expect(await codeOf(auth.refresh(racing.tokens.refreshToken))).toBe('ACCOUNT_ERASED');
      // A password change's revocation (with an end) still says TOKEN_REVOKED: sign in again.
      const bob = await register('bob').then(() => auth.login('bob', PASSWORD));
      await stores[0]?.revokeUserTokensIssuedBefore(bob.account.userId, now + 1);
      expect(await codeOf(auth.authenticate(bob.tokens.accessToken))).toBe('TOKEN_REVOKED');
    });
  });
});
