import { checkpointOf, type Checkpoint, type EventPosition } from '../eventlog/checkpoint.js';
import type { ProjectionProgress } from './storeCheckpointFollower.js';

// Read-your-writes. The history view is projected from the log after the append (in this process, or in another
// one that shares the store), so a use case that appended events answers only once the view has applied them:
// the answer and the caller's next read then agree.

/** Resolves once the history view has applied the log up to `target` in every partition it names. */
export type WaitForHistory = (target: Checkpoint) => Promise<void>;

/** The wait on a projection's progress (the projector here, or the follower of one elsewhere), bounded by `timeoutMs`. */
export function waitForProjection(progress: Pick<ProjectionProgress, 'waitFor'>, timeoutMs: number): WaitForHistory {
  return (target) => progress.waitFor(target, timeoutMs);
}

/**
 * Resolves once the view has applied every one of `appended`. They may lie in several partitions, so this waits
 * for the last of each. At once when nothing was appended (nothing to see), or when there is no view to wait for
 * (the command line runs no projector; the server's picks the events up).
 */
export async function untilApplied(waitForHistory: WaitForHistory | undefined, appended: readonly EventPosition[]): Promise<void> {
  if (appended.length === 0 || waitForHistory === undefined) return;
  await waitForHistory(checkpointOf(appended));
}
