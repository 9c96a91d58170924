import { allStoredEvents, type StoredEventReader } from '../eventlog/storedEventReader.js';
import { verifyChains, type ChainFieldReader, type VerifyResult } from './chainVerifier.js';

/** Recomputes the hash chains of every stream in the log, or of one, from the bytes it stores. */
export function verifyLog(
  reader: StoredEventReader,
  read: ChainFieldReader,
  options: { streamId?: string } = {},
): Promise<VerifyResult> {
  return verifyChains(allStoredEvents(reader, options), read);
}
