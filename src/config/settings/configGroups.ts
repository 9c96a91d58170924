// The reference's sections and the metadata each setting carries into it. Kept apart from the settings so every
// settings file, and configReference.ts, can name a section without importing the whole schema.

/**
 * The sections of the configuration reference (docs/configuration.md, rendered from the schema by
 * configReference.ts), in the order it shows them. Each setting names its section in its metadata, and the settings
 * of each section live next to this file, in <section>Settings.ts.
 */
export const CONFIG_GROUPS = {
  process: {
    title: 'Process and storage',
    intro: 'Where this process listens, what it runs and where the embedded mode keeps its files.',
  },
  auth: {
    title: 'Accounts and tokens',
    intro: 'Passwords, JWT access tokens and rotated refresh tokens, the login lockout and the first admins.',
  },
  oauth: {
    title: 'Sign-in with providers',
    intro:
      'Google, GitHub and any OpenID Connect provider, beside passwords; none is configured by default. How to register ' +
      'the app with each and which redirect URI to give them: [operators](operators.md#sign-in-with-google-github-or-openid-connect).',
  },
  limits: {
    title: 'Limits',
    intro: 'What one user or one request may do.',
  },
  http: {
    title: 'HTTP',
    intro: 'The REST edge: CORS, proxies, `/metrics` and read-your-writes.',
  },
  realtime: {
    title: 'WebSocket, presence and receipts',
    intro: 'The `/ws` gateway (frames and close codes: [clients](clients.md#websocket-ws)), presence and receipts.',
  },
  eventLog: {
    title: 'Event log',
    intro:
      '`EVENT_LOG=kafka` keeps the event log in a Kafka topic instead of `DATA_DIR/events.db`; `npm start` stays on ' +
      'SQLite. How the topic, the local index and the command processor behave: ' +
      '[operators](operators.md#kafka-event-log).',
  },
  schemaRegistry: {
    title: 'Schema registry',
    intro:
      'Events are Avro in the Confluent wire format whichever registry hands out the ids; subjects are ' +
      '`<SCHEMA_SUBJECT_PREFIX>chat.events.<Type>`, one per `schemas/events/<Type>.avsc`. Start-up and ' +
      'compatibility: [operators](operators.md#schema-registry).',
  },
  historyStore: {
    title: 'History store',
    intro:
      'The history view (rooms, members, messages, edit history, read markers, unread counts, friendships) lives in ' +
      '`DATA_DIR/history.db`, or in Oracle Database (node-oracledb Thin mode, no Oracle Client to install): ' +
      '[operators](operators.md#oracle-history-store).',
  },
  files: {
    title: 'Files and images',
    intro:
      'Uploads (`POST /api/files`, avatars): their bytes live in `DATA_DIR/files` or an S3-compatible bucket, their ' +
      'metadata in the log and the history view. Store, limits and erasure: [operators](operators.md#files-and-images).',
  },
  redis: {
    title: 'Shared state (Redis)',
    intro:
      'State that several api and gateway processes must share has one selector each. The defaults keep it in the ' +
      'process (tokens in `DATA_DIR/auth.db`), so `npm start` needs no server; any selector set to `redis` needs ' +
      '`REDIS_URL` (start-up stops, naming the selector, without it). Selectors are independent: every mix works. ' +
      'What happens while Redis is away: [operators](operators.md#redis).',
  },
  assistants: {
    title: 'Assistants',
    intro:
      'Assistant accounts answer in rooms through an OpenAI-compatible chat-completions server (OpenAI, Azure, ' +
      'llama.cpp, vLLM), reached with the official `openai` client; without `OPENAI_API_KEY` no assistant answers. ' +
      'How to point it at a provider: [assistants](assistants.md).',
  },
} as const satisfies Record<string, { title: string; intro: string }>;

export type ConfigGroup = keyof typeof CONFIG_GROUPS;

/**
 * What the reference says about one setting, kept in the schema's metadata (zod's global registry). `unset` says
 * what an optional setting without a default means when it is not set.
 */
export type SettingDoc = { group: ConfigGroup; description: string; unset?: string };

export function doc(group: ConfigGroup, description: string, unset?: string): SettingDoc {
  return unset === undefined ? { group, description } : { group, description, unset };
}
