import { CommandRejectedError } from '../../domain/errors.js';
import { normaliseUsername, usernameKeyStreamId } from '../../domain/ids.js';
import { usernameLookAlikeKeys } from '../../domain/usernameSkeleton.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { HistoryStore } from '../../projections/history/historyStore.js';
import type { WaitForHistory } from '../../projections/readYourWrites.js';

// Which account's username a name looks like (issue #15), for the edge: registration asks before claiming, profile
// updates ask about display names. Only reads; the refusal that needs no race-freedom is made here, the one that
// does is the username streams' single writer's.
//
// Accounts registered before username skeletons hold one claim, `username-<normalised name>`, and no skeleton
// claim; accounts registered before the skeleton of the name as written hold no claim of that key either (`Ian`,
// whose written skeleton `lan` meets `lan`). A registration claims its look-alike keys and its normalised key
// (domain/usernameSkeleton.ts), so it meets such an account at a single writer only when the old name is its own
// key (`alice`: its old key is the skeleton key). An old name that is not (`tom`, skeleton `torn`; `аlice`; `Ian`)
// holds no stream a look-alike would claim, and no key can be derived from the look-alike to find it: that needs an
// index of old names by look-alike key.
//
// Why this index, and not another way:
// - Claiming the old accounts' skeleton keys (a backfill) is a migration: a job to run, and to run again whenever
//   the confusables table changes.
// - A skeleton column in the history view is a schema migration of both stores, and a rebuild to fill it.
// - This index needs neither. The accounts it must cover are a closed set: from this release on every registration
//   claims its look-alike keys, so no new account ever needs it. Built once per process from the history view (after the
//   view has applied the log as it stood, which holds every old account), it stays complete without being kept up
//   to date; accounts registered later are in it or not, their claims cover them either way. It holds only keys that
//   are not the account's normalised name (that one is found by its claim), so its size is bounded by the old
//   accounts with such names.
// The one gap: during a rolling upgrade of a distributed deployment, an api process of the previous release can
// still register a name with its old claim only after this process built its index. Restarting the api processes
// once the upgrade is done closes it.

const PAGE = 1000;

/** An account and its normalised username. */
export interface UsernameHolder {
  userId: string;
  username: string;
}

export interface UsernameLookAlikesDeps {
  log: Pick<EventLog, 'headPosition' | 'readStream'>;
  history: Pick<HistoryStore, 'listUsernames'>;
  waitForHistory: WaitForHistory;
}

export class UsernameLookAlikes {
  /** Look-alike key → an old account whose name is not that key. Built on first use. */
  private index: Promise<Map<string, UsernameHolder>> | undefined;

  constructor(private readonly deps: UsernameLookAlikesDeps) {}

  /**
   * Before a registration claims `username`: refuses it when an account already holds one of its look-alike keys,
   * by its claim or, for an old account, in the index. USERNAME_TAKEN, like the single writer's refusal, with
   * `confusableWith` when the two names differ. Asked before anything is claimed, so a refused name leaves no claim:
   * a name has several keys, and a refusal at the second claim would leave the first held for nobody. (Two
   * look-alikes registering at the same instant can still both pass here; the single writers then refuse one.)
   */
  async assertNoLookAlike(username: string): Promise<void> {
    const normalised = normaliseUsername(username);
    for (const holder of await this.holdersOf(username)) {
      if (holder.username === normalised) {
        throw new CommandRejectedError('USERNAME_TAKEN', `username ${username} is taken`, { username });
      }
      throw new CommandRejectedError('USERNAME_TAKEN', `username ${username} is too much like the existing username ${holder.username}`, {
        username,
        confusableWith: holder.username,
      });
    }
  }

  /**
   * Refuses a display name that looks like another account's username (a shared look-alike key: `alice`, `Alice`,
   * `аlice`, `aIice` for bob), with DISPLAY_NAME_CONFUSABLE: a display name is what others see beside a person's
   * messages. A read, so best effort: a username registered at the same moment can slip past (docs/clients.md).
   */
  async assertDisplayNameOf(userId: string, displayName: string): Promise<void> {
    const holder = (await this.holdersOf(displayName)).find((found) => found.userId !== userId);
    if (holder === undefined) return;
    throw new CommandRejectedError(
      'DISPLAY_NAME_CONFUSABLE',
      `display name ${displayName} looks like the username ${holder.username} of another account`,
      { displayName, confusableWith: holder.username },
    );
  }

  /** The accounts whose usernames share a look-alike key with `name`: by the key's claim (one stream read), or old ones. */
  async holdersOf(name: string): Promise<UsernameHolder[]> {
    const holders: UsernameHolder[] = [];
    for (const key of usernameLookAlikeKeys(name)) {
      const [claim] = await this.deps.log.readStream(usernameKeyStreamId(key), { limit: 1 });
      const holder =
        claim?.type === 'UsernameClaimed'
          ? { userId: claim.data.userId, username: normaliseUsername(claim.data.username) }
          : (await this.oldNames()).get(key);
      if (holder !== undefined) holders.push(holder);
    }
    return holders;
  }

  private oldNames(): Promise<Map<string, UsernameHolder>> {
    // A failed build (the view too far behind to wait for) is not kept: the next caller tries again.
    this.index ??= this.build().catch((error: unknown) => {
      this.index = undefined;
      throw error;
    });
    return this.index;
  }

  private async build(): Promise<Map<string, UsernameHolder>> {
    await this.deps.waitForHistory(await this.deps.log.headPosition());
    const index = new Map<string, UsernameHolder>();
    let after = '';
    for (;;) {
      const page = await this.deps.history.listUsernames({ after, limit: PAGE });
      for (const { userId, username } of page) {
        const normalised = normaliseUsername(username);
        for (const key of usernameLookAlikeKeys(username)) {
          if (key !== normalised && !index.has(key)) index.set(key, { userId, username: normalised });
        }
      }
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) return index;
      after = last.userId;
    }
  }
}
