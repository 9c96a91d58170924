import type { ResolutionContext } from 'inversify';
import { waitForProjection, type WaitForHistory } from '../projections/readYourWrites.js';
import { resolve, TOKENS } from './tokens.js';

/**
 * The read-your-writes wait every use case that answers after the history view is given: this process's history
 * projector (or its follower of the shared store) within READ_YOUR_WRITES_TIMEOUT_MS.
 */
export async function historyWait(context: ResolutionContext): Promise<WaitForHistory> {
  const projector = await resolve(context, TOKENS.historyProjector);
  const config = await resolve(context, TOKENS.config);
  return waitForProjection(projector, config.http.readYourWritesTimeoutMs);
}
