// Failures of a history store's database that the projector and the query API must tell apart. Each has a stable
// code (domain/errors.ts); a dependency that is merely down is the shared UnavailableError (503, retried).

import { ChatError } from '../../domain/errors.js';

/** The database's schema does not match the migrations this code knows: the store refuses to run on it. */
export class HistorySchemaOutdatedError extends ChatError {
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
    hint: string,
  ) {
    super('HISTORY_SCHEMA_OUTDATED', `history schema is at version ${databaseVersion}, this code needs ${codeVersion}: ${hint}`, {
      databaseVersion,
      codeVersion,
    });
  }
}

/** The database cannot hold what the service writes (wrong character set, a column too small for a value). */
export class HistoryStoreMisconfiguredError extends ChatError {
  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super('HISTORY_STORE_MISCONFIGURED', message, details);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

/**
 * Another writer stored the same row first (a unique key refused ours). Only a second projector instance on the
 * same tables can cause it; the batch is rolled back whole and the projector's retry then finds the rows and the
 * checkpoint in place, so retrying is the right answer.
 */
export class HistoryWriteConflictError extends ChatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONCURRENCY_CONFLICT', message);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
