import type { Container, ResolutionContext } from 'inversify';
import type { Logger } from 'pino';
import { auditDecider } from '../audit/auditDecider.js';
import { AuditService } from '../audit/auditService.js';
import { storedEventReaderOf } from '../audit/storedEventReaders.js';
import { CommandBus } from '../commands/commandBus.js';
import { DEFAULT_LIMITS } from '../commands/decider.js';
import type { AppConfig } from '../config/config.js';
import { asAuditStreamEvent } from '../events/eventGuards.js';
import type { StoredEvent } from '../eventlog/storedEventReader.js';
import type { RecordedEvent } from '../events/envelope.js';
import type { EventCodec } from '../events/eventCodec.js';
import type { Endpoint } from '../http/route.js';
import { auditRoutes } from '../http/routes/auditRoutes.js';
import type { PersonalDataSealer } from '../privacy/personalDataSealer.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import { PRIVACY_TOKENS } from './privacyBindings.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// The audit API (issue #7): reads the log's stored bytes through the adapter under any decorator, decodes them as
// every other reader sees them (personal data unsealed, or erased), and records each read in audit-<auditorId>.

export const AUDIT_TOKENS = {
  auditService: { id: Symbol.for('chat.auditService') } satisfies Token<AuditService>,
};

export function bindAudit(container: Container, config: AppConfig, logger: Logger): void {
  container.bind<AuditService>(AUDIT_TOKENS.auditService.id).toDynamicValue(async (context) => {
    const log = await resolve(context, TOKENS.eventLog);
    const reader = storedEventReaderOf(log);
    if (reader === undefined) throw new Error(`EVENT_LOG=${config.eventLog}: this log cannot read its stored bytes`);
    return new AuditService({
      reader,
      decode: await auditDecoder(container),
      // In both modes the auditor's own stream is written from this process: the Kafka command processor decides
      // only the chat categories, and one auditor's reads are the only writes to their stream.
      audit: new CommandBus(auditDecider, asAuditStreamEvent, log, systemClock, uuidGenerator, logger.child({ component: 'audit' })),
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
