// The audit API's use cases (issue #7): the raw events of a stream, and every version of a message, read from the
// log itself (never from a view), each read recorded as an AuditLogRead event before the answer is returned.

import type { AccessPrincipal } from '../auth/accessTokens.js';
import type { CommandExecutor } from '../commands/commandExecutor.js';
import type { DomainLimits } from '../commands/decider.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { parseMessageId, roomStreamId } from '../domain/ids.js';
import type { AuditLogRead } from '../events/chatEvents.js';
import type { RecordedEvent } from '../events/envelope.js';
import { eventHash } from '../events/hashChain.js';
import type { StoredEvent, StoredEventReader } from '../eventlog/storedEventReader.js';
import type { IdGenerator } from '../support/clock.js';
import { AUDIT_ROLES, auditStreamId } from '../commands/audit/auditDecider.js';
import type { AuditCommand } from '../commands/commands.js';

/** One event as an auditor sees it: where it is stored, its chain link, its own hash, and what it says. */
export interface AuditedEvent {
  streamId: string;
  streamVersion: number;
  partition: number;
  position: number;
  eventId: string;
  type: string;
  occurredAt: string;
  actorId: string | null;
  commandId: string;
  correlationId: string;
  /** The hash of the stream's previous event as this event records it (null: written before hash chains). */
  previousHash: string | null;
  /** This event's own hash over its stored bytes: the next event's previousHash must equal it. */
  hash: string;
  /** The payload, decoded; personal data the owner's erasure destroyed reads `erased: true`. */
  data: Record<string, unknown>;
}

export interface AuditStreamPage {
  streamId: string;
  events: AuditedEvent[];
  /** The fromVersion of the next page, or null when this page reached the stream's end. */
  nextFromVersion: number | null;
}

export interface MessageVersion {
  kind: 'sent' | 'edited' | 'deleted';
  /** The text as sent or edited (kept however the message ended, deleted included); null for the delete. */
  text: string | null;
  /** True when the author's personal data was erased: the text is gone for good, the event and its hash remain. */
  erased: boolean;
  by: string;
  event: AuditedEvent;
}

export interface MessageVersions {
  messageId: string;
  roomId: string;
  versions: MessageVersion[];
}

export interface AuditServiceDeps {
  reader: StoredEventReader;
  /** Stored bytes to the event readers see (decoded, personal data unsealed or marked erased). */
  decode: (stored: StoredEvent) => Promise<RecordedEvent>;
  /** The audit stream's single writer. */
  audit: CommandExecutor<AuditCommand>;
  ids: IdGenerator;
  limits: DomainLimits;
}

const SCAN_PAGE = 1000;

export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  async streamEvents(
    principal: AccessPrincipal,
    streamId: string,
    page: { fromVersion: number; limit: number },
    correlationId: string,
  ): Promise<AuditStreamPage> {
    assertAuditor(principal);
    // One more than asked tells whether there is a next page without a second query.
    const stored = await this.deps.reader.readStoredStream(streamId, page.fromVersion, page.limit + 1);
    const events = await Promise.all(stored.slice(0, page.limit).map((event) => this.audited(event)));
    await this.record(principal, correlationId, {
      kind: 'streamEvents',
      streamId,
      messageId: null,
      fromVersion: page.fromVersion,
      limit: page.limit,
      returned: events.length,
    });
    const last = events.at(-1);
    return {
      streamId,
      events,
      nextFromVersion: stored.length > page.limit && last !== undefined ? last.streamVersion + 1 : null,
    };
  }

  async messageVersions(principal: AccessPrincipal, messageId: string, correlationId: string): Promise<MessageVersions> {
    assertAuditor(principal);
    const place = parseMessageId(messageId);
    if (place === undefined) {
      throw new ValidationError('messageId must be <roomId>.<seq>', { messageId }, 'VALIDATION_FAILED');
    }
    const streamId = roomStreamId(place.roomId);
    const versions: MessageVersion[] = [];
    // The message was sent at version `seq` of its room's stream; its edits and its delete come after it.
    for (let fromVersion = place.seq; ; ) {
      const stored = await this.deps.reader.readStoredStream(streamId, fromVersion, SCAN_PAGE);
      for (const entry of stored) {
        const version = await this.versionOf(entry, messageId);
        if (version !== undefined) versions.push(version);
      }
      const last = stored.at(-1);
      if (stored.length < SCAN_PAGE || last === undefined) break;
      fromVersion = last.streamVersion + 1;
    }
    if (versions[0]?.kind !== 'sent') {
      throw new NotFoundError('NO_MESSAGE', `no message ${messageId} in the log`, { messageId });
    }
    await this.record(principal, correlationId, {
      kind: 'messageVersions',
      streamId,
      messageId,
      fromVersion: 1,
      limit: 0,
      returned: versions.length,
    });
    return { messageId, roomId: place.roomId, versions };
  }

  private async versionOf(stored: StoredEvent, messageId: string): Promise<MessageVersion | undefined> {
    const event = await this.deps.decode(stored);
    switch (event.type) {
      case 'MessageSent':
      case 'MessageEdited': {
        if (event.data.messageId !== messageId) return undefined;
        const erased = event.data.erased === true;
        return {
          kind: event.type === 'MessageSent' ? 'sent' : 'edited',
          text: erased ? null : event.data.text,
          erased,
          by: event.type === 'MessageSent' ? event.data.senderId : event.data.editedBy,
          event: auditedEvent(stored, event),
        };
      }
      case 'MessageDeleted':
        if (event.data.messageId !== messageId) return undefined;
        return { kind: 'deleted', text: null, erased: false, by: event.data.deletedBy, event: auditedEvent(stored, event) };
      default:
        return undefined;
    }
  }

  private async audited(stored: StoredEvent): Promise<AuditedEvent> {
    return auditedEvent(stored, await this.deps.decode(stored));
  }

  /** Appends the AuditLogRead; the answer is only returned once it is in the log. */
  private async record(
    principal: AccessPrincipal,
    correlationId: string,
    read: Omit<AuditLogRead['data'], 'auditorId'>,
  ): Promise<void> {
    await this.deps.audit.execute(
      auditStreamId(principal.userId),
      { type: 'RecordAuditRead', read: { auditorId: principal.userId, ...read } },
      { actor: { userId: principal.userId, role: principal.role }, limits: this.deps.limits },
      { commandId: this.deps.ids.next(), correlationId },
    );
  }
}

function assertAuditor(principal: AccessPrincipal): void {
  if (!AUDIT_ROLES.includes(principal.role)) {
    throw new ForbiddenError('FORBIDDEN', 'the audit log is read by auditors only', { role: principal.role });
  }
}

function auditedEvent(stored: StoredEvent, event: RecordedEvent): AuditedEvent {
  return {
    streamId: stored.streamId,
    streamVersion: event.streamVersion,
    partition: stored.partition,
    position: stored.position,
    eventId: event.eventId,
    type: event.type,
    occurredAt: new Date(event.metadata.occurredAt).toISOString(),
    actorId: event.metadata.actorId,
    commandId: event.metadata.commandId,
    correlationId: event.metadata.correlationId,
    previousHash: event.previousHash,
    hash: eventHash(stored.body),
    data: payloadOf(event),
  };
}

/** The payload as JSON-safe data; a password hash is a secret, not evidence, and is never shown. */
function payloadOf(event: RecordedEvent): Record<string, unknown> {
  if (event.type === 'UserRegistered' || event.type === 'PasswordChanged') return { ...event.data, passwordHash: '[redacted]' };
  return { ...event.data };
}
