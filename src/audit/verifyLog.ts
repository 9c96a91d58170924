import { allStoredEvents, type StoredEventReader } from '../eventlog/storedEventReader.js';
import { verifyChains, type ChainFieldReader, type StreamHead, type VerifyResult } from './chainVerifier.js';

/**
 * Recomputes the hash chains of every stream in the log, or of one, from the bytes it stores. For one stream that
 * verified, also its head: the version and hash its chain ends at, to note down and compare with later (an event
 * dropped from the end of a stream leaves no broken link behind it; a moved head shows it).
 */
export async function verifyLog(
  reader: StoredEventReader,
  read: ChainFieldReader,
  options: { streamId?: string } = {},
): Promise<VerifyResult & { head?: StreamHead }> {
  const verifier = await verifyChains(allStoredEvents(reader, options), read);
  const result = verifier.result();
  const head = options.streamId === undefined || !result.ok ? undefined : verifier.headOf(options.streamId);
  return head === undefined ? result : { ...result, head };
}
