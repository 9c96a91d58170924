import type { Container, ResolutionContext } from 'inversify';
import { AuditService } from '../audit/auditService.js';
import { storedEventReaderOf } from '../audit/storedEventReaders.js';
import { DEFAULT_LIMITS } from '../commands/decider.js';
import type { AppConfig } from '../config/config.js';
import type { StoredEvent } from '../eventlog/storedEventReader.js';
import type { RecordedEvent } from '../events/envelope.js';
import type { EventCodec } from '../events/eventCodec.js';
import type { Endpoint } from '../http/route.js';
import { auditRoutes } from '../http/routes/auditRoutes.js';
import type { PersonalDataSealer } from '../privacy/personalDataSealer.js';
import { uuidGenerator } from '../support/clock.js';
import { PRIVACY_TOKENS } from './privacyBindings.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// The audit API (issue #7): reads the log's stored bytes through the adapter under any decorator, decodes them as
// every other reader sees them (personal data unsealed, or erased), and records each read in audit-<auditorId>.

export const AUDIT_TOKENS = {
  auditService: { id: Symbol.for('chat.auditService') } satisfies Token<AuditService>,
};

export function bindAudit(container: Container, config: AppConfig): void {
  container.bind<AuditService>(AUDIT_TOKENS.auditService.id).toDynamicValue(async (context) => {
    const log = await resolve(context, TOKENS.eventLog);
    const reader = storedEventReaderOf(log);
    if (reader === undefined) throw new Error(`EVENT_LOG=${config.eventLog}: this log cannot read its stored bytes`);
    return new AuditService({
      reader,
      decode: await auditDecoder(container),
      // The auditor's stream has a single writer like every other: this process's bus on the SQLite log, the
      // command processor that owns its partition on Kafka.
      audit: (await resolve(context, TOKENS.executors)).audit,
      ids: uuidGenerator,
      limits: DEFAULT_LIMITS,
    });
  });
}

/**
 * Stored bytes to the event every other reader sees: decoded, personal data unsealed or marked erased where
 * crypto-shredding is bound. For the audit API and the audit CLI.
 */
export async function auditDecoder(container: Container): Promise<(stored: StoredEvent) => Promise<RecordedEvent>> {
  const codec = await container.getAsync<EventCodec>(TOKENS.codec.id);
  const sealer = container.isBound(PRIVACY_TOKENS.personalDataSealer.id)
    ? await container.getAsync<PersonalDataSealer>(PRIVACY_TOKENS.personalDataSealer.id)
    : undefined;
  return async (stored) => {
    const decoded = codec.decode(stored.body, { partition: stored.partition, position: stored.position });
    if (sealer === undefined) return decoded;
    const [event] = await sealer.unseal([decoded]);
    if (event === undefined) throw new Error('unsealing returned no event');
    return event;
  };
}

/** The audit routes, for the api role's endpoint list. */
export async function auditEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  return auditRoutes(await context.getAsync<AuditService>(AUDIT_TOKENS.auditService.id));
}
