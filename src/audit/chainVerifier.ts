// Recomputes hash chains from stored bytes (issue #7, events/hashChain.ts). Fed every stored event of one stream,
// or of the whole log, in log order; stops at the first broken link and says exactly where and why.

import type { EventPosition } from '../events/envelope.js';
import { GENESIS_HASH, eventHash } from '../events/hashChain.js';
import type { StoredEvent } from '../eventlog/storedEventReader.js';

/** What a verifier needs from an event's stored bytes: the envelope the body itself records. */
export interface ChainFields {
  streamId: string;
  streamVersion: number;
  previousHash: string | null;
}

/** Reads the envelope out of stored bytes; throws when they cannot be decoded. */
export type ChainFieldReader = (body: Buffer, at: EventPosition) => ChainFields;

export type BrokenLinkReason =
  /** The bytes do not decode: altered beyond what the schema can read. */
  | 'undecodable'
  /** The body names another stream than the log files it under. */
  | 'stream-mismatch'
  /** Versions are not 1, 2, 3, ...: an event was dropped, duplicated or moved. */
  | 'version-gap'
  /** previousHash is not the hash of the stored bytes of the stream's previous event. */
  | 'hash-mismatch'
  /** A null previousHash after the stream's chain began (only events from before chains may have none). */
  | 'hash-missing';

export interface BrokenLink {
  reason: BrokenLinkReason;
  streamId: string;
  /** The version the event claims (its body's, or the log's filing when the body cannot be read). */
  streamVersion: number;
  partition: number;
  position: number;
  expected: string;
  found: string;
}

export interface ChainCounts {
  streams: number;
  events: number;
  /** Events carrying a previousHash, all of which matched. */
  chained: number;
  /** Events written before hash chains existed (previousHash null), at the start of their streams. */
  unchained: number;
}

export type VerifyResult = ({ ok: true } | { ok: false; broken: BrokenLink }) & { counts: ChainCounts };

export interface StreamHead {
  version: number;
  hash: string;
}

interface StreamTip {
  version: number;
  hash: string;
  chainStarted: boolean;
}

export class ChainVerifier {
  private readonly tips = new Map<string, StreamTip>();
  private readonly counts: ChainCounts = { streams: 0, events: 0, chained: 0, unchained: 0 };
  private brokenLink: BrokenLink | undefined;

  constructor(private readonly read: ChainFieldReader) {}

  get broken(): BrokenLink | undefined {
    return this.brokenLink;
  }

  /** Checks the next stored event; returns the broken link once one is found (later events are not looked at). */
  add(stored: StoredEvent): BrokenLink | undefined {
    if (this.brokenLink !== undefined) return this.brokenLink;
    const at = { partition: stored.partition, position: stored.position };
    const where = { streamId: stored.streamId, partition: stored.partition, position: stored.position };
    let fields: ChainFields;
    try {
      fields = this.read(stored.body, at);
    } catch (error) {
      return this.fail({
        ...where,
        reason: 'undecodable',
        streamVersion: stored.streamVersion,
        expected: 'an event the schemas can decode',
        found: error instanceof Error ? error.message : String(error),
      });
    }
    if (fields.streamId !== stored.streamId) {
      return this.fail({
        ...where,
        reason: 'stream-mismatch',
        streamVersion: fields.streamVersion,
        expected: stored.streamId,
        found: fields.streamId,
      });
    }
    const tip = this.tips.get(stored.streamId) ?? { version: 0, hash: GENESIS_HASH, chainStarted: false };
    const link = { ...where, streamVersion: fields.streamVersion };
    if (fields.streamVersion !== tip.version + 1 || stored.streamVersion !== fields.streamVersion) {
      return this.fail({
        ...link,
        reason: 'version-gap',
        expected: `version ${tip.version + 1}`,
        found: `version ${fields.streamVersion}${stored.streamVersion === fields.streamVersion ? '' : ` (filed as ${stored.streamVersion})`}`,
      });
    }
    if (fields.previousHash === null) {
      if (tip.chainStarted) {
        return this.fail({ ...link, reason: 'hash-missing', expected: tip.hash, found: 'null' });
      }
      this.counts.unchained += 1;
    } else {
      if (fields.previousHash !== tip.hash) {
        return this.fail({ ...link, reason: 'hash-mismatch', expected: tip.hash, found: fields.previousHash });
      }
      this.counts.chained += 1;
    }
    if (tip.version === 0) this.counts.streams += 1;
    this.counts.events += 1;
    this.tips.set(stored.streamId, {
      version: fields.streamVersion,
      hash: eventHash(stored.body),
      chainStarted: tip.chainStarted || fields.previousHash !== null,
    });
    return undefined;
  }

  /** The last verified event of a stream: its version and hash, the end of its chain so far. */
  headOf(streamId: string): StreamHead | undefined {
    const tip = this.tips.get(streamId);
    return tip === undefined ? undefined : { version: tip.version, hash: tip.hash };
  }

  result(): VerifyResult {
    const counts = { ...this.counts };
    return this.brokenLink === undefined ? { ok: true, counts } : { ok: false, broken: this.brokenLink, counts };
  }

  private fail(link: BrokenLink): BrokenLink {
    this.brokenLink = link;
    return link;
  }
}

/** Verifies every stored event an iterable yields (one stream's or the whole log's, in log order). */
export async function verifyChains(events: AsyncIterable<StoredEvent>, read: ChainFieldReader): Promise<ChainVerifier> {
  const verifier = new ChainVerifier(read);
  for await (const stored of events) {
    if (verifier.add(stored) !== undefined) break;
  }
  return verifier;
}

/** One line naming a broken link, for people and logs. */
export function describeBrokenLink(link: BrokenLink): string {
  const place = `stream ${link.streamId} version ${link.streamVersion} (partition ${link.partition}, position ${link.position})`;
  switch (link.reason) {
    case 'undecodable':
      return `${place}: the stored bytes cannot be decoded: ${link.found}`;
    case 'stream-mismatch':
      return `${place}: the event's body names stream ${link.found}, the log files it under ${link.expected}`;
    case 'version-gap':
      return `${place}: expected ${link.expected}, found ${link.found} (an event was dropped, duplicated or moved)`;
    case 'hash-mismatch':
      return (
        `${place}: previousHash does not match the stored previous event (it or this event was altered): ` +
        `expected ${link.expected}, found ${link.found}`
      );
    case 'hash-missing':
      return `${place}: previousHash is missing after the stream's chain began: expected ${link.expected}, found null`;
    default: {
      const unknown: never = link.reason;
      return unknown;
    }
  }
}
