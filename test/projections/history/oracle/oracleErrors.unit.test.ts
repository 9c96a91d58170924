import { describe, expect, it } from 'vitest';

import { UnavailableError } from '../../../../src/domain/errors.js';
import {
  HistorySchemaOutdatedError,
  HistoryStoreMisconfiguredError,
  HistoryWriteConflictError,
} from '../../../../src/projections/history/historyStoreErrors.js';
import {
  classifyOracleError,
  isConnectionLost,
  oracleErrorCode,
  toHistoryStoreError,
} from '../../../../src/projections/history/oracle/oracleErrors.js';

/** What node-oracledb throws: an Error with `code` (and `errorNum` for ORA-), the code leading the message. */
function driverError(code: string, text = 'failure'): Error {
  const error = new Error(`${code}: ${text}`);
  Object.assign(error, { code, errorNum: Number(code.slice(4)) });
  return error;
}

describe('oracleErrorCode', () => {
  it('reads `code`, falls back to the message prefix, and ignores anything else', () => {
    expect(oracleErrorCode(driverError('ORA-00001'))).toBe('ORA-00001');
    expect(oracleErrorCode(new Error('NJS-040: connection request timeout. Request exceeded "queueTimeout" of 60000'))).toBe('NJS-040');
    expect(oracleErrorCode(Object.assign(new Error('boom'), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(oracleErrorCode('ORA-00001')).toBeUndefined();
    expect(oracleErrorCode(null)).toBeUndefined();
  });
});

describe('toHistoryStoreError', () => {
  const map = (error: unknown): unknown => toHistoryStoreError(error, 'applyBatch', 2);

  it('turns ORA-00001 into a retryable write conflict, keeping the driver error as cause', () => {
    const original = driverError('ORA-00001', 'unique constraint (CHAT.MESSAGES_PK) violated');
    const mapped = map(original);
    expect(mapped).toBeInstanceOf(HistoryWriteConflictError);
    expect(mapped).toMatchObject({ code: 'CONCURRENCY_CONFLICT', cause: original });
  });

  it.each(['ORA-03113', 'ORA-03114', 'ORA-03135', 'ORA-01089', 'ORA-12541', 'NJS-500', 'NJS-503', 'NJS-003', 'DPI-1080', 'DPI-1010'])(
    'reports a lost connection (%s) as UNAVAILABLE, and marks the session to be dropped',
    (code) => {
      const mapped = map(driverError(code));
      expect(mapped).toBeInstanceOf(UnavailableError);
      expect(mapped).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'connection lost', code, operation: 'applyBatch' } });
      expect(isConnectionLost(driverError(code))).toBe(true);
    },
  );

  it.each(['NJS-040', 'NJS-076'])('reports pool exhaustion (%s) as UNAVAILABLE without dropping sessions', (code) => {
    const mapped = map(driverError(code));
    expect(mapped).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'connection pool exhausted', code } });
    expect(isConnectionLost(driverError(code))).toBe(false);
  });

  it('retries a deadlock as a transient failure', () => {
    expect(map(driverError('ORA-00060'))).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'transient' } });
  });

  it.each(['ORA-00942', 'ORA-00904'])('reads a missing table or column (%s) as a schema older than the code', (code) => {
    const mapped = map(driverError(code));
    expect(mapped).toBeInstanceOf(HistorySchemaOutdatedError);
    expect(mapped).toMatchObject({ code: 'HISTORY_SCHEMA_OUTDATED', details: { codeVersion: 2 } });
    expect(String(mapped instanceof Error ? mapped.message : '')).toMatch(/chat migrate/);
  });

  it('reports a value too large for its column as a misconfigured store, not a skipped row', () => {
    expect(map(driverError('ORA-12899'))).toBeInstanceOf(HistoryStoreMisconfiguredError);
  });

  it('passes anything else on unchanged, so it is logged and retried, never swallowed', () => {
    const other = driverError('ORA-01722', 'invalid number');
    expect(map(other)).toBe(other);
    const plain = new TypeError('bug');
    expect(map(plain)).toBe(plain);
  });

  it('classifies DDL that already ran as alreadyExists (what makes migrations re-runnable)', () => {
    for (const code of ['ORA-00955', 'ORA-01408', 'ORA-02260', 'ORA-01430']) {
      expect(classifyOracleError(driverError(code))).toBe('alreadyExists');
    }
  });
});
