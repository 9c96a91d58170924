import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

/**
 * With no JWT_SECRET configured, a random secret is generated once and kept in the data directory, so tokens
 * survive restarts of a development instance. Production should set JWT_SECRET: the warning says so.
 */
export function loadOrCreateDevSecret(dataDir: string, logger: Logger): string {
  const file = path.join(dataDir, 'jwt-secret');
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    secret = randomBytes(48).toString('base64url');
    // 'wx' fails if another process created it meanwhile; then that one's secret wins.
    try {
      writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      secret = readFileSync(file, 'utf8').trim();
    }
  }
  logger.warn({ file }, 'JWT_SECRET is not set: using a generated development secret (set JWT_SECRET in production)');
  return secret;
}
