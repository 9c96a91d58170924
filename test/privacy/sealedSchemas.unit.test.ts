// The crypto-shredding fields are a backward-compatible schema change, checked with the project's own
// compatibility machinery (src/events/registry/compatibility.ts): the current schemas read every event written
// before sealing, unchanged, and a reader still on the old schemas reads sealed events (seeing the emptied
// plaintext field) instead of failing. The git-history test (test/events/schemaCompatibility.unit.test.ts) holds
// the same for every committed version.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventSchemaPath, defaultEventSchemasDir } from '../../src/events/avro/eventSchemaFiles.js';
import { AvroRecordReader } from '../../src/events/avro/avroRecordReader.js';
import { payloadReaders } from '../../src/events/avro/eventPayloadReaders.js';
import { parseAvroSchema } from '../../src/events/avro/parseAvroSchema.js';
import { checkBackwardCompatible } from '../../src/events/registry/compatibility.js';
import { withFieldRemoved } from '../events/schemaEvolution.js';

const SEALED = [
  { type: 'MessageSent', field: 'sealedText' },
  { type: 'MessageEdited', field: 'sealedText' },
  { type: 'UserRegistered', field: 'sealedEmail' },
] as const;

const envelope = {
  eventId: 'e-1',
  streamId: 's-1',
  streamVersion: 1,
  occurredAt: 1_750_000_000_000,
  actorId: 'u-alice',
  commandId: 'c-1',
  correlationId: 'k-1',
  previousHash: null,
};
const plaintextData = {
  MessageSent: { roomId: 'r1', messageId: 'r1.1', senderId: 'u-alice', text: 'written before sealing', clientMessageId: 'c1' },
  MessageEdited: { roomId: 'r1', messageId: 'r1.1', text: 'edited before sealing', editedBy: 'u-alice' },
  UserRegistered: {
    userId: 'u-alice',
    username: 'alice',
    email: 'alice@example.org',
    displayName: 'Alice',
    passwordHash: '$argon2id$x',
    role: 'user',
  },
} as const;

/** Fields added after sealing (issue #16's attachments, whose names refer to the SealedValue record sealedText defines). */
const LATER: Partial<Record<(typeof SEALED)[number]['type'], string[]>> = { MessageSent: ['sealedNames', 'attachments'] };

function schemas(type: (typeof SEALED)[number]['type'], field: string): { current: string; beforeSealing: string } {
  const current = readFileSync(eventSchemaPath(defaultEventSchemasDir(), type), 'utf8');
  const beforeLater = (LATER[type] ?? []).reduce<unknown>((schema, later) => withFieldRemoved(schema, `${type}Data`, later), JSON.parse(current));
  const withoutSealed = withFieldRemoved(beforeLater, `${type}Data`, field);
  return { current, beforeSealing: JSON.stringify(withFieldRemoved(withoutSealed, `${type}Data`, 'erased')) };
}

describe.each(SEALED)('$type: the sealed field $field', ({ type, field }) => {
  const { current, beforeSealing } = schemas(type, field);

  it('is a backward-compatible addition: the current schema reads the schema before sealing, and back', () => {
    expect(beforeSealing).not.toContain(field);
    expect(checkBackwardCompatible(current, beforeSealing)).toEqual({ compatible: true });
    // Forward too: a process still on the old schema (a rolling upgrade) reads sealed events without failing.
    expect(checkBackwardCompatible(beforeSealing, current)).toEqual({ compatible: true });
  });

  it('reads bytes written before sealing exactly as before: plaintext, no sealed value, no erased marker', () => {
    const writer = parseAvroSchema(beforeSealing);
    const reader = parseAvroSchema(current);
    const bytes = writer.toBuffer({ ...envelope, data: plaintextData[type] });
    const decoded: unknown = reader.fromBuffer(bytes, reader.createResolver(writer));
    const event = payloadReaders[type](AvroRecordReader.of(decoded, type).record('data'));
    expect(event.data).toEqual(plaintextData[type]);
  });
});
