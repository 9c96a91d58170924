import { z } from 'zod';
import type { AuditService } from '../../audit/auditService.js';
import { queryIntegerOr } from '../queryInteger.js';
import { authedRoute, NO_BODY, NO_QUERY, type Endpoint } from '../route.js';
import { codePointString } from '../schemas.js';

// The audit API (issue #7): read-only, for the auditor role only (admins get 403 too: see commands/audit/auditDecider.ts).
// Every call is itself recorded as an AuditLogRead event in the auditor's stream audit-<userId> before it answers.

const hashSchema = z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'SHA-256, lower-case hex' });

const auditedEventSchema = z
  .object({
    streamId: z.string(),
    streamVersion: z.number().int(),
    partition: z.number().int(),
    position: z.number().int(),
    eventId: z.string(),
    type: z.string(),
    occurredAt: z.string().meta({ format: 'date-time' }),
    actorId: z.string().nullable(),
    commandId: z.string(),
    correlationId: z.string(),
    previousHash: hashSchema
      .nullable()
      .meta({ description: "the stream's previous event's hash as recorded; null: written before hash chains" }),
    hash: hashSchema.meta({ description: "this event's hash over its stored bytes (the next event's previousHash)" }),
    data: z.record(z.string(), z.unknown()).meta({ description: 'the decoded payload; password hashes are redacted' }),
  })
  .meta({ id: 'AuditedEvent' });

const streamPageSchema = z
  .object({
    streamId: z.string(),
    events: z.array(auditedEventSchema),
    nextFromVersion: z.number().int().nullable().meta({ description: 'fromVersion of the next page; null at the end' }),
  })
  .meta({ id: 'AuditStreamPage' });

const messageVersionsSchema = z
  .object({
    messageId: z.string(),
    roomId: z.string(),
    versions: z.array(
      z.object({
        kind: z.enum(['sent', 'edited', 'deleted']),
        text: z.string().nullable().meta({ description: 'the text as sent or edited, deleted messages included' }),
        erased: z.boolean().meta({ description: "the author's personal data was erased: the text is gone for good" }),
        by: z.string(),
        event: auditedEventSchema,
      }),
    ),
  })
  .meta({ id: 'AuditMessageVersions' });

export const auditStreamParams = z.strictObject({ streamId: codePointString(300, 1) });
export const auditStreamQuery = z.strictObject({
  fromVersion: queryIntegerOr(1, { min: 1, max: Number.MAX_SAFE_INTEGER }).meta({ description: 'first stream version (1-based)' }),
  limit: queryIntegerOr(100, { min: 1, max: 1000 }),
});
export const auditMessageParams = z.strictObject({
  messageId: codePointString(300, 3)
    // [\s\S], not ".": a JavaScript "." stops at line breaks, Python's and Rust's do not, so the document meant
    // one thing to clients and another to the edge. The seq has parseMessageId's 1 to 16 digits.
    .regex(/^[\s\S]+\.[1-9][0-9]{0,15}$/, 'a message id is <roomId>.<seq>'),
});

const ERRORS = {
  400: { description: 'VALIDATION_FAILED: a parameter is malformed' },
  403: { description: 'FORBIDDEN: only the auditor role reads the audit log (admins too are refused)' },
};

export function auditRoutes(audit: AuditService): Endpoint[] {
  const tags = ['audit'];
  return [
    authedRoute({
      method: 'get',
      path: '/api/audit/streams/:streamId/events',
      summary: "A stream's raw events from the log, paged, with their hash chain (auditor)",
      description:
        'Decoded from the stored bytes, in stream order, with each event\'s position, previousHash and own hash. ' +
        'The read is recorded as an AuditLogRead event in audit-<your user id> before the answer is sent.',
      tags,
      body: NO_BODY,
      query: auditStreamQuery,
      params: auditStreamParams,
      responses: { 200: { description: 'one page of the stream', schema: streamPageSchema }, ...ERRORS },
      async handler({ principal, params, query, requestId }) {
        const body = await audit.streamEvents(principal, params.streamId, query, requestId);
        return { status: 200, body };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/audit/messages/:messageId/versions',
      summary: 'Every version of a message from the log: as sent, each edit, the delete (auditor)',
      description:
        'Read from the room stream, not from the history view, so deleted messages keep their texts; a text whose ' +
        "author's personal data was erased reads erased. The read is recorded as an AuditLogRead event.",
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: auditMessageParams,
      responses: {
        200: { description: 'the versions, oldest first', schema: messageVersionsSchema },
        404: { description: 'NO_MESSAGE: the room stream holds no such message' },
        ...ERRORS,
      },
      async handler({ principal, params, requestId }) {
        return { status: 200, body: await audit.messageVersions(principal, params.messageId, requestId) };
      },
    }),
  ];
}
