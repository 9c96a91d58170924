import { CommandRejectedError } from '../../domain/errors.js';
import { normaliseUsername } from '../../domain/ids.js';
import { usernameSkeleton } from '../../domain/usernameSkeleton.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { HistoryStore } from '../../projections/history/historyStore.js';
import type { WaitForHistory } from '../../projections/readYourWrites.js';

// Accounts registered before username skeletons (issue #15) hold one claim, `username-<normalised name>`, and no
// skeleton claim. A registration claims its skeleton key and its normalised key (domain/usernameSkeleton.ts), so it
// meets such an account at a single writer only when the old name is its own skeleton (`alice`: its old key is
// the skeleton key). An old name that is not (`tom`, skeleton `torn`; `аlice`) holds no stream a look-alike would
// claim, and no key can be derived from the look-alike to find it: that needs an index of old names by skeleton.
//
// Why this index, and not another way:
// - Claiming the old accounts' skeleton keys (a backfill) is a migration: a job to run, and to run again whenever
//   the confusables table changes.
// - A skeleton column in the history view is a schema migration of both stores, and a rebuild to fill it.
// - This index needs neither. The accounts it must cover are a closed set: from this release on every registration
//   claims its skeleton, so no new account ever needs it. Built once per process from the history view (after the
//   view has applied the log as it stood, which holds every old account), it stays complete without being kept up
//   to date; accounts registered later are in it or not, the single writer covers them either way. It holds only
//   names that are not their own skeleton (the others meet at the writer), so its size is bounded by the old
//   accounts with such names.
// The one gap: during a rolling upgrade of a distributed deployment, an api process of the previous release can
// still register a name with its old claim only after this process built its index. Restarting the api processes
// once the upgrade is done closes it.

const PAGE = 1000;

export interface LegacyUsernamesDeps {
  log: Pick<EventLog, 'headPosition'>;
  history: Pick<HistoryStore, 'listUsernames'>;
  waitForHistory: WaitForHistory;
}

export class LegacyUsernames {
  /** Skeleton → the normalised name of an account whose name is not its own skeleton. Built on first use. */
  private index: Promise<Map<string, string>> | undefined;

  constructor(private readonly deps: LegacyUsernamesDeps) {}

  /**
   * Refuses `username` when an account's name that is not its own skeleton shares its skeleton: USERNAME_TAKEN,
   * like the refusal of the username streams' writer, with `confusableWith` when the two names differ. Checked before
   * anything is claimed, so a refused name leaves no claim behind.
   */
  async assertNoLookAlike(username: string): Promise<void> {
    const holder = (await this.lookAlikes()).get(usernameSkeleton(username));
    if (holder === undefined) return;
    if (holder === normaliseUsername(username)) {
      throw new CommandRejectedError('USERNAME_TAKEN', `username ${username} is taken`, { username });
    }
    throw new CommandRejectedError('USERNAME_TAKEN', `username ${username} is too much like the existing username ${holder}`, {
      username,
      confusableWith: holder,
    });
  }

  private lookAlikes(): Promise<Map<string, string>> {
    // A failed build (the view too far behind to wait for) is not kept: the next registration tries again.
    this.index ??= this.build().catch((error: unknown) => {
      this.index = undefined;
      throw error;
    });
    return this.index;
  }

  private async build(): Promise<Map<string, string>> {
    await this.deps.waitForHistory(await this.deps.log.headPosition());
    const index = new Map<string, string>();
    let after = '';
    for (;;) {
      const page = await this.deps.history.listUsernames({ after, limit: PAGE });
      for (const { username } of page) {
        const normalised = normaliseUsername(username);
        const skeleton = usernameSkeleton(username);
        if (skeleton !== normalised && !index.has(skeleton)) index.set(skeleton, normalised);
      }
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) return index;
      after = last.userId;
    }
  }
}
