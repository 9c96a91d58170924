// What one `chat serve` process runs, derived from its roles and where each view is kept. This is the one place
// that decides which projectors run in which process.

import type { AppConfig } from './config.js';
import { runsAllRoles, type Role } from './roleNames.js';

/**
 * How this process keeps its history view current:
 * - `projector`: it runs the history projector itself, into its own store;
 * - `follower`: the view is written by another process (projector:history) into a shared store, and this process
 *   only follows the store's checkpoint to know when its own writes are visible;
 * - undefined: it neither reads nor writes the history view.
 */
export type HistoryViewMode = 'projector' | 'follower' | undefined;

export interface ProcessPlan {
  roles: readonly Role[];
  api: boolean;
  gateway: boolean;
  commandProcessor: boolean;
  historyView: HistoryViewMode;
  /** Whether the analytics projector runs in this process. */
  analyticsProjector: boolean;
  /** Set-ups that run but are probably not what was meant; logged at start. */
  warnings: string[];
}

export function planProcess(
  config: Pick<AppConfig, 'roles' | 'historyStore' | 'stores' | 'auth'> & Partial<Pick<AppConfig, 'eventLog' | 'schemaRegistry'>>,
): ProcessPlan {
  const has = (role: Role) => config.roles.includes(role);
  const api = has('api');
  const gateway = has('gateway');
  // api and gateway read the history view (history pages, replay on subscribe, membership checks) and wait on it
  // for read-your-writes. A process-local store (SQLite in DATA_DIR) is filled only by a projector in the same
  // process, so they run the history projector themselves, each on its own copy; a shared store (Oracle) is filled
  // by the projector:history processes, and they follow its checkpoint instead of projecting it a second time.
  const historyIsShared = isShared(config.historyStore);
  const historyView: HistoryViewMode = has('projector:history')
    ? 'projector'
    : api || gateway
      ? historyIsShared
        ? 'follower'
        : 'projector'
      : undefined;
  // Only api reads analytics; nothing waits on it, so a shared store (Redis) needs no follower at all.
  const analyticsIsShared = config.stores.analytics === 'redis';
  const analyticsProjector = has('projector:analytics') || (api && !analyticsIsShared);
  return {
    roles: config.roles,
    api,
    gateway,
    commandProcessor: has('command-processor'),
    historyView,
    analyticsProjector,
    warnings: [
      ...(runsAllRoles(config.roles) ? [] : splitWarnings(config, { api, gateway, historyIsShared, analyticsIsShared })),
      ...ownStateOnKafka(config),
    ],
  };
}

function isShared(store: AppConfig['historyStore']): boolean {
  switch (store) {
    case 'sqlite':
      return false;
    case 'oracle':
      return true;
    default: {
      const unknown: never = store;
      throw new Error(`HISTORY_STORE: no plan for ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A process running only some roles is usually one of several: what each keeps in its own memory or DATA_DIR is
 * then invisible to the others (a refresh token issued by one api process, a connection counted by one gateway).
 */
function splitWarnings(
  config: Pick<AppConfig, 'roles' | 'stores' | 'auth'>,
  shape: { api: boolean; gateway: boolean; historyIsShared: boolean; analyticsIsShared: boolean },
): string[] {
  const warnings: string[] = [];
  if (shape.api || shape.gateway) {
    const local = [
      config.stores.token === 'sqlite' ? 'TOKEN_STORE=sqlite' : undefined,
      config.stores.rateLimit === 'memory' ? 'RATE_LIMIT_STORE=memory' : undefined,
      config.stores.presence === 'memory' ? 'PRESENCE_STORE=memory' : undefined,
      config.stores.typing === 'memory' ? 'TYPING_BUS=memory' : undefined,
    ].filter((setting) => setting !== undefined);
    if (local.length > 0) {
      warnings.push(`${local.join(', ')}: kept in this process only; several api/gateway processes need redis for them`);
    }
    if (config.auth.jwtSecret === undefined) {
      warnings.push('JWT_SECRET is not set: tokens of this process are refused by every other api/gateway process');
    }
  }
  if (config.roles.includes('projector:history') && !shape.historyIsShared) {
    warnings.push('projector:history with HISTORY_STORE=sqlite fills this DATA_DIR only: api and gateway processes keep their own');
  }
  if (config.roles.includes('projector:analytics') && !shape.analyticsIsShared) {
    warnings.push('projector:analytics with ANALYTICS_STORE=memory counts in this process only: api processes keep their own');
  }
  return warnings;
}

/**
 * One process on the Kafka log with the registry or the personal-data keys of its own DATA_DIR works, but a second
 * process on the same topic could not read its events (split roles are refused outright: configuredRoles.ts).
 */
function ownStateOnKafka(config: Partial<Pick<AppConfig, 'eventLog' | 'schemaRegistry' | 'stores'>>): string[] {
  if (config.eventLog !== 'kafka') return [];
  const own = [
    ...(config.schemaRegistry?.kind === 'embedded' ? ['SCHEMA_REGISTRY=embedded'] : []),
    ...(config.stores?.personalDataKeys === 'sqlite' ? ['PERSONAL_DATA_KEYS=sqlite'] : []),
  ];
  if (own.length === 0) return [];
  return [
    `EVENT_LOG=kafka with ${own.join(' and ')}: this process keeps those in its own DATA_DIR, so no other process ` +
      'on the topic can read the events it writes; RUN_MODE=distributed shares them',
  ];
}
