import { ConfigError } from './configError.js';

// RUN_MODE: one switch for the distributed mode. Processes that share a Kafka log must also share what its events and
// tokens depend on: the schema registry (events name their schema by a registry's id), the personal-data keys
// (events are sealed with them), the token store, and the stores of presence, rate limits, typing and analytics,
// which are per process otherwise. RUN_MODE=distributed sets all of them; a setting that contradicts it is refused
// with the fix, instead of starting a process whose events or tokens the others cannot read.

/** What RUN_MODE=distributed sets, for whichever of them is not set. */
export const DISTRIBUTED_SETTINGS = {
  EVENT_LOG: 'kafka',
  SCHEMA_REGISTRY: 'confluent',
  PERSONAL_DATA_KEYS: 'redis',
  TOKEN_STORE: 'redis',
  RATE_LIMIT_STORE: 'redis',
  PRESENCE_STORE: 'redis',
  TYPING_BUS: 'redis',
  ANALYTICS_STORE: 'redis',
} as const;

/** Why each one must be shared, for the refusal's message. */
const WHY: Record<keyof typeof DISTRIBUTED_SETTINGS, string> = {
  EVENT_LOG: 'the SQLite log is one process\'s file',
  SCHEMA_REGISTRY: "the embedded registry is in each process's DATA_DIR, and events name their schema by its ids",
  PERSONAL_DATA_KEYS: "the sqlite key store is in each process's DATA_DIR, and events are sealed with its keys",
  TOKEN_STORE: "a refresh token issued by one process would be unknown to the others",
  RATE_LIMIT_STORE: 'each process would count on its own, multiplying every limit',
  PRESENCE_STORE: 'each gateway would see only its own connections',
  TYPING_BUS: "typing would reach only the typist's own gateway",
  ANALYTICS_STORE: 'each api process would count on its own',
};

/**
 * The environment with RUN_MODE's settings filled in. Throws a ConfigError naming every setting that contradicts
 * RUN_MODE=distributed, and a missing JWT_SECRET (a generated one would be this process's own).
 */
export function withRunMode(known: Record<string, string>): Record<string, string> {
  if (known.RUN_MODE !== 'distributed') return known;
  const problems: string[] = [];
  for (const [key, wanted] of Object.entries(DISTRIBUTED_SETTINGS) as [keyof typeof DISTRIBUTED_SETTINGS, string][]) {
    const given = known[key];
    if (given !== undefined && given !== wanted) {
      problems.push(`${key}=${given}: RUN_MODE=distributed needs ${key}=${wanted} (${WHY[key]}); remove ${key} or set it to ${wanted}`);
    }
  }
  if (known.JWT_SECRET === undefined) {
    problems.push(
      'JWT_SECRET: required with RUN_MODE=distributed: every process must verify the tokens the others issue, and a ' +
        "generated secret is one process's own (give them all the same 32+ characters)",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...DISTRIBUTED_SETTINGS, ...known };
}
