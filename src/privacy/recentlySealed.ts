// The values this process sealed a moment ago, with their plaintexts. Every event a process appends comes back to
// it through the shared subscription (the hub and the projectors), which unsealed it by decrypting what had been
// encrypted here a millisecond before: 1.8 % of a send's CPU (perf, bench/README.md). A value read back is opened
// from here when its bytes are exactly the bytes sealed here for the same event, field, owner and key, which is
// what decrypting them would give; the caller has checked the owner's key state first, so an erased owner's value
// still reads as erased. An entry is used once (the shared subscription opens each event once per process) and none
// is kept long, so plaintext does not linger: at most MAX_ENTRIES, and none past MAX_AGE_MS (a timer that does not
// hold the process open sweeps them).

import type { SealedValue } from '../events/chatEvents.js';
import type { SealedField } from './sealedValues.js';

const MAX_ENTRIES = 4_096;
const MAX_AGE_MS = 10_000;

interface Entry {
  sealed: SealedValue;
  key: Buffer;
  plaintext: string;
  at: number;
}

export class RecentlySealed {
  private readonly entries = new Map<string, Entry>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  remember(eventId: string, field: SealedField, sealed: SealedValue, key: Buffer, plaintext: string): void {
    const at = this.now();
    this.forgetOld(at, MAX_ENTRIES - 1);
    this.entries.set(placeOf(eventId, field), { sealed, key, plaintext, at });
    this.sweepLater();
  }

  /** The plaintext of a value sealed here with `key`, if `sealed` holds exactly its bytes; forgets it. */
  take(eventId: string, field: SealedField, sealed: SealedValue, key: Buffer): string | undefined {
    const place = placeOf(eventId, field);
    const entry = this.entries.get(place);
    if (entry === undefined) return undefined;
    this.entries.delete(place);
    const same =
      entry.sealed.keyOwner === sealed.keyOwner &&
      entry.key.equals(key) &&
      entry.sealed.iv.equals(sealed.iv) &&
      entry.sealed.tag.equals(sealed.tag) &&
      entry.sealed.ciphertext.equals(sealed.ciphertext);
    return same ? entry.plaintext : undefined;
  }

  /** Forgets entries past MAX_AGE_MS, and the oldest beyond `keep`. Insertion order is age order. */
  private forgetOld(now: number, keep: number): void {
    for (const [place, entry] of this.entries) {
      if (this.entries.size <= keep && now - entry.at <= MAX_AGE_MS) break;
      this.entries.delete(place);
    }
  }

  private sweepLater(): void {
    if (this.sweep !== undefined) return;
    this.sweep = setTimeout(() => {
      this.sweep = undefined;
      this.forgetOld(this.now(), MAX_ENTRIES);
      if (this.entries.size > 0) this.sweepLater();
    }, MAX_AGE_MS + 1);
    this.sweep.unref();
  }
}

function placeOf(eventId: string, field: SealedField): string {
  return `${eventId}\u0000${field}`;
}
