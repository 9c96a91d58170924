import { describe, it } from 'vitest';

// Suites that need a real server (Redis, Kafka, the schema registry, an S3-compatible store, Oracle) declare it here. Locally a missing
// server skips the suite with its reason; in CI (CI=true) every real-service suite except Oracle is required, so
// a missing server fails loudly instead of passing by skipping. `scripts/services up` starts them;
// `scripts/services env` prints the variables.

export type RealService = 'REDIS_URL' | 'KAFKA_BROKERS' | 'SCHEMA_REGISTRY_URL' | 'S3_ENDPOINT' | 'ORACLE_CONNECT_STRING';

/** Oracle Database cannot run on these machines: its suite runs only where ORACLE_* is set, even in CI. */
const OPTIONAL_IN_CI: ReadonlySet<RealService> = new Set(['ORACLE_CONNECT_STRING']);

export function serviceUrl(name: RealService): string | undefined {
  const value = process.env[name];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Declares a suite that runs against real servers; the body reads the variables through `env`.
 * Missing locally: the suite is reported as skipped, its name saying why. Missing in CI: one failing test.
 */
export function describeWithServices(
  title: string,
  services: RealService[],
  body: (env: (name: RealService) => string) => void,
): void {
  const missing = services.filter((name) => serviceUrl(name) === undefined);
  if (missing.length === 0) {
    const env = (name: RealService): string => {
      const value = serviceUrl(name);
      if (value === undefined) throw new Error(`${name} is not among this suite's declared services`);
      return value;
    };
    describe(title, () => body(env));
    return;
  }
  const required = process.env.CI === 'true' && missing.some((name) => !OPTIONAL_IN_CI.has(name));
  if (required) {
    describe(title, () => {
      it(`needs ${missing.join(', ')} (run scripts/services up; in CI every real-service suite is required)`, () => {
        throw new Error(`${missing.join(', ')} not set: the real-service suite "${title}" cannot run`);
      });
    });
    return;
  }
  describe.skipIf(true)(`${title} [not run: ${missing.join(', ')} not set; see scripts/services]`, () => {
    it('needs real servers', () => undefined);
  });
}
