import type { RawConfig } from './configSchema.js';

/**
 * What HISTORY_STORE=oracle needs. Message text is VARCHAR2(1000 CHAR) there (1000 code points fit VARCHAR2's
 * 4000 bytes in AL32UTF8; see projections/history/oracle/migrations.ts), so a longer limit would stall the projector
 * on the first long message: refused here instead.
 */
export function oracleSettingProblems(raw: RawConfig): string[] {
  const problems: string[] = [];
  for (const key of ['ORACLE_CONNECT_STRING', 'ORACLE_USER', 'ORACLE_PASSWORD'] as const) {
    if (raw[key] === undefined) problems.push(`${key}: required when HISTORY_STORE=oracle`);
  }
  if (raw.ORACLE_POOL_MIN > raw.ORACLE_POOL_MAX) problems.push('ORACLE_POOL_MIN: must not exceed ORACLE_POOL_MAX');
  if (raw.MAX_MESSAGE_LENGTH > 1000) {
    problems.push('MAX_MESSAGE_LENGTH: at most 1000 with HISTORY_STORE=oracle (the text columns hold 1000 characters)');
  }
  return problems;
}
