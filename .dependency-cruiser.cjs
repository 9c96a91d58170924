// Imports follow the flow (issue #12; docs/architecture.md draws it). `npm run lint` runs this check.
//
// 1. No import cycles, type-only imports included.
// 2. Layers: a folder imports only from its own layer and the layers below it. Lowest first; the command side
//    sits above the views because its use cases wait on them (read-your-writes), and the edges above both.
// 3. The pure core (domain, deciders, command and event shapes, projections' change functions) imports no
//    adapter (SQLite, Kafka, Oracle, Redis, the file system, the network) and no transport (HTTP, WebSocket).
// 4. Only the composition root and the process entry points (src/cli/, src/server.ts) touch the container.

/** Folders of src/ by layer, lowest first. */
const LAYERS = [
  ['support', 'domain', 'redis'],
  ['config'],
  ['events', 'ratelimit', 'presence'],
  ['eventlog', 'auth', 'files'],
  ['privacy', 'observability'],
  ['projections'],
  ['commands', 'queries', 'analysis'],
  ['receipts', 'audit', 'assistants'],
  ['gateway', 'http'],
  ['roles'],
  ['composition'],
  ['server.ts'],
  ['cli'],
];

const folderPattern = (folders) => `^src/(${folders.map((folder) => folder.replace('.', '\\.')).join('|')})(/|$)`;

const layerRules = LAYERS.flatMap((layer, index) => {
  const higher = LAYERS.slice(index + 1).flat();
  if (higher.length === 0) return [];
  return [
    {
      name: `layer-${layer.join('+')}`,
      comment: `src/{${layer.join(',')}} is on layer ${index}: it may not import from the layers above it (${higher.join(', ')})`,
      severity: 'error',
      from: { path: folderPattern(layer) },
      to: { path: folderPattern(higher) },
    },
  ];
});

const PURE_CORE = [
  '^src/domain/',
  '^src/commands/(commands|decider|streamCategories)\\.ts$',
  '^src/commands/[^/]+/[^/]*Decider\\.ts$',
  '^src/commands/room/(roomState|oldMessageFacts)\\.ts$',
  '^src/commands/user/profileRules\\.ts$',
  '^src/events/(chatEvents|envelope|eventGuards|hashChain)\\.ts$',
  '^src/projections/history/historyChanges\\.ts$',
  '^src/projections/analytics/analyticsProjection\\.ts$',
  '^src/files/(fileTypes|imageDimensions|fileKeys)\\.ts$',
];

const ADAPTERS_AND_TRANSPORTS = [
  '^src/(http|gateway|roles|composition|cli|redis)/',
  '^src/server\\.ts$',
  '/(sqlite|kafka|oracle|redis)/',
  '/(sqlite|kafka|oracle|redis|memory)[A-Z][^/]*\\.ts$',
  '(^|/)node_modules/(kafkajs|ioredis|better-sqlite3|oracledb|express|ws|pino|pino-http|rate-limiter-flexible|jsonwebtoken|@kafkajs)/',
  '^(fs|net|http|https|child_process|worker_threads|node:fs|node:net|node:http|node:https|node:child_process|node:worker_threads)$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles, type-only imports included, make the flow unreadable and the start-up order fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'pure-core',
      comment: 'Deciders, command and event shapes and projections\' change functions are pure: no adapter, no transport.',
      severity: 'error',
      from: { path: PURE_CORE },
      to: { path: ADAPTERS_AND_TRANSPORTS },
    },
    {
      name: 'container-in-the-root-only',
      comment:
        'Only the composition root (src/composition/) and the process entry points (src/cli/, src/server.ts) use the ' +
        'container; everything else receives resolved services.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(composition/|cli/|server\\.ts$)' },
      to: { path: ['^src/composition/', '(^|/)node_modules/inversify/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are imports too: a cycle through types still ties the two files' meaning together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
