import { createHash } from 'node:crypto';

// Tamper evidence (issue #7): every event carries the hash of its stream's previous event, so changing, dropping
// or reordering a stored event breaks the chain at the next one.
//
// The canonical bytes of an event are its Avro body exactly as stored, without the 5-byte Confluent header: the
// schema id in that header differs between registries (embedded, Confluent, Apicurio) while the body does not.
// Hashing stored bytes rather than a decoded form means personal data sealed by crypto-shredding is hashed as
// ciphertext, so destroying a key later leaves every chain intact.

/** The `previousHash` of the first event of a stream. */
export const GENESIS_HASH = '0'.repeat(64);

/** Length of the Confluent wire-format header (magic byte + schema id) that is not part of the canonical bytes. */
const WIRE_HEADER_BYTES = 5;

/** SHA-256 (lower-case hex) of one encoded event's canonical bytes. */
export function eventHash(encoded: Buffer): string {
  return createHash('sha256').update(encoded.subarray(WIRE_HEADER_BYTES)).digest('hex');
}
