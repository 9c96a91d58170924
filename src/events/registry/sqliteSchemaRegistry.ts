import type Database from 'better-sqlite3';
import { z } from 'zod';

import { parseAvroSchema } from '../avro/parseAvroSchema.js';
import { canonicalSchema } from './canonicalSchema.js';
import { checkBackwardCompatible } from './compatibility.js';
import type { RegisteredSchema, SchemaRegistry } from './schemaRegistry.js';
import { SchemaIncompatibleError, SchemaInvalidError, SchemaNotFoundError } from './schemaRegistryErrors.js';

export interface SqliteSchemaRegistryOptions {
  /**
   * Which earlier versions a new one must be able to read. The codec decodes events of every version with the
   * current schema, so the default checks them all; 'BACKWARD' (latest only) matches Confluent's default.
   */
  compatibility?: 'BACKWARD' | 'BACKWARD_TRANSITIVE';
}

// One row per (subject, version). A schema registered under several subjects keeps one id (looked up through
// `canonical`), as Confluent does, so ids are global and the table needs no second one.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_registry (
  subject   TEXT    NOT NULL,
  version   INTEGER NOT NULL,
  id        INTEGER NOT NULL,
  schema    TEXT    NOT NULL,
  canonical TEXT    NOT NULL,
  PRIMARY KEY (subject, version),
  UNIQUE (subject, canonical)
);
CREATE INDEX IF NOT EXISTS schema_registry_by_id ON schema_registry (id);
CREATE INDEX IF NOT EXISTS schema_registry_by_canonical ON schema_registry (canonical);
`;

const registeredRow = z.object({
  id: z.number().int(),
  subject: z.string(),
  version: z.number().int(),
  schema: z.string(),
});
const idRow = z.object({ id: z.number().int() });
const schemaRow = z.object({ schema: z.string() });
const nextIdRow = z.object({ next: z.number().int() });
const nextVersionRow = z.object({ next: z.number().int() });

/** The embedded schema registry: a table in a SQLite database the caller owns (and closes). */
export class SqliteSchemaRegistry implements SchemaRegistry {
  private readonly compatibility: 'BACKWARD' | 'BACKWARD_TRANSITIVE';
  private readonly registerTx: (subject: string, schema: string, canonical: string) => number;
  private readonly selectSchema: Database.Statement;
  private readonly selectVersions: Database.Statement;
  private readonly selectAll: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    options: SqliteSchemaRegistryOptions = {},
  ) {
    this.compatibility = options.compatibility ?? 'BACKWARD_TRANSITIVE';
    db.exec(SCHEMA);

    const findInSubject = db.prepare('SELECT id FROM schema_registry WHERE subject = ? AND canonical = ?');
    const findAnywhere = db.prepare('SELECT id FROM schema_registry WHERE canonical = ? LIMIT 1');
    const versionsOf = db.prepare(
      'SELECT id, subject, version, schema FROM schema_registry WHERE subject = ? ORDER BY version',
    );
    const nextId = db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM schema_registry');
    const nextVersion = db.prepare(
      'SELECT COALESCE(MAX(version), 0) + 1 AS next FROM schema_registry WHERE subject = ?',
    );
    const insert = db.prepare(
      'INSERT INTO schema_registry (subject, version, id, schema, canonical) VALUES (?, ?, ?, ?, ?)',
    );

    // Runs as one IMMEDIATE transaction so two processes sharing the file cannot hand out the same id or version.
    const register = db.transaction((subject: string, schema: string, canonical: string): number => {
      const existing = findInSubject.get(subject, canonical);
      if (existing !== undefined) {
        return idRow.parse(existing).id;
      }
      const earlier = z.array(registeredRow).parse(versionsOf.all(subject));
      const mustRead = this.compatibility === 'BACKWARD' ? earlier.slice(-1) : earlier;
      for (const version of mustRead) {
        const result = checkBackwardCompatible(schema, version.schema);
        if (!result.compatible) {
          throw new SchemaIncompatibleError(subject, result.reason, version.version);
        }
      }
      const sameSchema = findAnywhere.get(canonical);
      const id = sameSchema === undefined ? nextIdRow.parse(nextId.get()).next : idRow.parse(sameSchema).id;
      const version = nextVersionRow.parse(nextVersion.get(subject)).next;
      insert.run(subject, version, id, schema, canonical);
      return id;
    });
    this.registerTx = (subject, schema, canonical) => register.immediate(subject, schema, canonical);

    this.selectSchema = db.prepare('SELECT schema FROM schema_registry WHERE id = ? LIMIT 1');
    this.selectVersions = versionsOf;
    this.selectAll = db.prepare(
      'SELECT id, subject, version, schema FROM schema_registry ORDER BY subject, version',
    );
  }

  async register(subject: string, schema: string): Promise<number> {
    let canonical: string;
    try {
      canonical = canonicalSchema(schema);
      parseAvroSchema(schema);
    } catch (error) {
      throw new SchemaInvalidError(subject, error instanceof Error ? error.message : String(error));
    }
    return this.registerTx(subject, schema, canonical);
  }

  async getSchema(id: number): Promise<string> {
    const row = this.selectSchema.get(id);
    if (row === undefined) {
      throw new SchemaNotFoundError(id);
    }
    return schemaRow.parse(row).schema;
  }

  async listVersions(subject: string): Promise<RegisteredSchema[]> {
    return z.array(registeredRow).parse(this.selectVersions.all(subject));
  }

  async allSchemas(): Promise<RegisteredSchema[]> {
    return z.array(registeredRow).parse(this.selectAll.all());
  }
}
