// Copies of schemas/events with one event schema changed, standing in for another deployment's schema files.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { defaultEventSchemasDir, eventSchemaPath } from '../../src/events/avro/eventSchemaFiles.js';
import type { ChatEventType } from '../../src/events/chatEvents.js';

/** Applies `change` to every object in a parsed schema, bottom-up. */
function mapObjects(value: unknown, change: (node: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => mapObjects(item, change));
  if (typeof value !== 'object' || value === null) return value;
  return change(Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapObjects(item, change)])));
}

/** The record named `recordName` with `field` appended to its fields. */
export function withFieldAdded(schema: unknown, recordName: string, field: Record<string, unknown>): unknown {
  return mapObjects(schema, (node) =>
    node.name === recordName && Array.isArray(node.fields) ? { ...node, fields: [...node.fields, field] } : node,
  );
}

/** The record named `recordName` without its field `fieldName`. */
export function withFieldRemoved(schema: unknown, recordName: string, fieldName: string): unknown {
  return mapObjects(schema, (node) =>
    node.name === recordName && Array.isArray(node.fields)
      ? { ...node, fields: node.fields.filter((field: unknown) => !hasName(field, fieldName)) }
      : node,
  );
}

/** Every field called `fieldName` with `type` instead of its own. */
export function withFieldType(schema: unknown, fieldName: string, type: unknown): unknown {
  return mapObjects(schema, (node) => (node.name === fieldName && 'type' in node ? { ...node, type } : node));
}

function hasName(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && 'name' in value && value.name === name;
}

/** The current schema of `type`, parsed. */
export function currentSchema(type: ChatEventType): unknown {
  return JSON.parse(readFileSync(eventSchemaPath(defaultEventSchemasDir(), type), 'utf8'));
}

/** A temporary schemas directory: today's files, with `type`'s replaced by `schema`. */
export function schemasDirWith(type: ChatEventType, schema: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'schemas-'));
  cpSync(defaultEventSchemasDir(), dir, { recursive: true });
  writeFileSync(eventSchemaPath(dir, type), JSON.stringify(schema, null, 2));
  return dir;
}
