// The one place ORA-, NJS- and DPI- codes become the project's errors. Pure: it reads only the error object, so
// every mapping is unit-tested without a database. Anything not listed here is passed on unchanged (never
// swallowed): the projector logs and retries it, the query API answers 500.

import { UnavailableError } from '../../../domain/errors.js';
import { HistoryStoreMisconfiguredError, HistorySchemaOutdatedError, HistoryWriteConflictError } from '../historyStoreErrors.js';

export type OracleFailureKind =
  | 'duplicate'
  | 'connectionLost'
  | 'poolExhausted'
  | 'transient'
  | 'schemaMissing'
  | 'valueTooLarge'
  | 'alreadyExists'
  | 'other';

/** `ORA-00001`, `NJS-040`, `DPI-1080`: what node-oracledb puts in `code` (and at the start of `message`). */
export function oracleErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if ('code' in error && typeof error.code === 'string' && /^(ORA|NJS|DPI)-\d+$/.test(error.code)) return error.code;
  if ('message' in error && typeof error.message === 'string') {
    return /^(ORA|NJS|DPI)-\d+/.exec(error.message)?.[0];
  }
  return undefined;
}

// The session is gone (or the server is going away): retry on another connection. node-oracledb's own table
// (lib/errors.js adjustErrorXref) turns most of these into NJS-500, but the raw codes still arrive from some paths.
const CONNECTION_LOST = new Set([
  'ORA-00028', // session killed
  'ORA-01012', // not logged on
  'ORA-01033', // initialisation or shutdown in progress
  'ORA-01034', // not available
  'ORA-01089', // immediate shutdown
  'ORA-01090', // shutdown in progress
  'ORA-01092', // instance terminated
  'ORA-02396', // idle time exceeded
  'ORA-03113', // end-of-file on communication channel
  'ORA-03114', // not connected
  'ORA-03135', // connection lost contact
  'ORA-12514', // listener does not know the service (yet: a starting database)
  'ORA-12528', // listener: all handlers blocked (starting)
  'ORA-12537', // connection closed
  'ORA-12541', // no listener
  'ORA-12547', // lost contact
  'ORA-12570', // packet reader failure
  'NJS-003', // invalid or closed connection
  'NJS-500', // connection to the database was broken
  'NJS-501', // connection lost contact
  'NJS-503', // could not establish a connection
  'NJS-510', // connect timeout
  'NJS-511', // connection refused
  'NJS-521', // end of file
  'NJS-530', // host not found
  'DPI-1010', // not connected
  'DPI-1080', // connection closed by ORA-n
]);

const POOL_EXHAUSTED = new Set([
  'NJS-040', // queueTimeout elapsed with every pooled connection busy
  'NJS-076', // queueMax requests already waiting
  'NJS-064', // pool is draining (shutdown under way)
  'NJS-065', // pool closed
]);

// The database gave up on the transaction, not on our data: the same batch succeeds when run again.
const TRANSIENT = new Set([
  'ORA-00060', // deadlock detected
  'ORA-08177', // cannot serialise access
]);

// The tables or columns the code needs are not there: the schema is behind the code.
const SCHEMA_MISSING = new Set([
  'ORA-00942', // table or view does not exist
  'ORA-00904', // invalid identifier (a column a later migration adds)
]);

// Raised by DDL a migration already ran (a migration interrupted after some statements): re-running is fine.
const ALREADY_EXISTS = new Set([
  'ORA-00955', // name is already used by an existing object
  'ORA-01408', // such column list already indexed
  'ORA-01430', // column being added already exists
  'ORA-01451', // column to be modified to NULL cannot be modified to NULL (it already is)
  'ORA-02260', // table can have only one primary key
  'ORA-02261', // such unique or primary key already exists
  'ORA-02275', // such a referential constraint already exists
]);

export function classifyOracleError(error: unknown): OracleFailureKind {
  const code = oracleErrorCode(error);
  if (code === undefined) return 'other';
  if (code === 'ORA-00001') return 'duplicate';
  if (code === 'ORA-12899' || code === 'ORA-01401') return 'valueTooLarge';
  if (CONNECTION_LOST.has(code)) return 'connectionLost';
  if (POOL_EXHAUSTED.has(code)) return 'poolExhausted';
  if (TRANSIENT.has(code)) return 'transient';
  if (SCHEMA_MISSING.has(code)) return 'schemaMissing';
  if (ALREADY_EXISTS.has(code)) return 'alreadyExists';
  return 'other';
}

/** Whether the connection that raised `error` must be dropped from the pool rather than reused. */
export function isConnectionLost(error: unknown): boolean {
  return classifyOracleError(error) === 'connectionLost';
}

/**
 * The project's error for a driver failure during `operation` (e.g. 'applyBatch', 'getMessages').
 * `schemaVersion` is the version this code needs, for the outdated-schema message.
 */
export function toHistoryStoreError(error: unknown, operation: string, schemaVersion: number): unknown {
  const kind = classifyOracleError(error);
  const code = oracleErrorCode(error);
  switch (kind) {
    case 'duplicate':
      return new HistoryWriteConflictError(`${operation}: another writer stored the same row first (${code})`, {
        cause: error,
      });
    case 'connectionLost':
      return new UnavailableError('Oracle history store unreachable', { operation, reason: 'connection lost', code }, {
        cause: error,
      });
    case 'poolExhausted':
      return new UnavailableError('Oracle history store busy', { operation, reason: 'connection pool exhausted', code }, {
        cause: error,
      });
    case 'transient':
      return new UnavailableError('Oracle history store aborted the transaction', { operation, reason: 'transient', code }, {
        cause: error,
      });
    case 'schemaMissing':
      // The applied version is not known here; 0 says "below what the code needs" without guessing.
      return new HistorySchemaOutdatedError(0, schemaVersion, `${operation} found a table or column missing (${code}); run \`chat migrate\``);
    case 'valueTooLarge':
      return new HistoryStoreMisconfiguredError(`${operation}: a value does not fit its column (${code})`, { operation, code }, {
        cause: error,
      });
    case 'alreadyExists':
    case 'other':
      return error;
    default:
      return unreachable(kind);
  }
}

function unreachable(kind: never): never {
  throw new Error(`oracleErrors: unhandled kind ${String(kind)}`);
}
