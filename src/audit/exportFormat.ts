// The compliance export's files (issue #7): events.jsonl, one stored event a line, and manifest.json, which pins the
// range, the counts and both ends of the hash chain. Shared by the writer (complianceExport.ts) and the verifier
// (exportVerifier.ts), which checks an export with these files alone.

import { z } from 'zod';

export const EXPORT_FORMAT = 'chat-audit-export/1';
export const MANIFEST_FILE = 'manifest.json';
export const EVENTS_FILE = 'events.jsonl';

const hash = z.string().regex(/^[0-9a-f]{64}$/);

export const exportLineSchema = z.strictObject({
  streamId: z.string(),
  streamVersion: z.number().int().positive(),
  partition: z.number().int().nonnegative(),
  position: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  type: z.string(),
  eventId: z.string(),
  previousHash: hash.nullable(),
  hash,
  /** The event's bytes exactly as stored (Confluent wire format), base64. */
  body: z.base64(),
  /** The event as readers see it (personal data unsealed, or marked erased); a convenience, checked where it can be. */
  event: z.strictObject({
    eventId: z.string(),
    type: z.string(),
    actorId: z.string().nullable(),
    commandId: z.string(),
    correlationId: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
});

export type ExportLine = z.infer<typeof exportLineSchema>;

export const manifestSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  createdAt: z.iso.datetime(),
  room: z.string(),
  streamId: z.string(),
  /** The time range asked for: occurredAt >= from and < to. */
  range: z.strictObject({ from: z.iso.datetime(), to: z.iso.datetime() }),
  file: z.literal(EVENTS_FILE),
  counts: z.strictObject({ total: z.number().int().nonnegative(), byType: z.record(z.string(), z.number().int().positive()) }),
  firstVersion: z.number().int().positive().nullable(),
  lastVersion: z.number().int().positive().nullable(),
  /** previousHash of the first exported event: where the exported chain hangs off the stream's earlier events. */
  anchorHash: hash.nullable(),
  /** The hash of the last exported event: the end of the chain, to compare with the log. */
  finalHash: hash.nullable(),
  /**
   * Every file the exported messages carried (issue #16), in order: which message, and the file's SHA-256, so the
   * bytes handed over with an export can be checked against the log. Absent in exports made before attachments.
   */
  attachments: z
    .array(
      z.strictObject({
        messageId: z.string(),
        seq: z.number().int().positive(),
        fileId: z.string(),
        contentType: z.string(),
        size: z.number().int().nonnegative(),
        sha256: hash,
      }),
    )
    .optional(),
  /** The writer schema of every schema id in the bodies, so the export decodes without the service's registry. */
  schemas: z.record(z.string().regex(/^[0-9]+$/), z.string()),
});

export type ExportManifest = z.infer<typeof manifestSchema>;
