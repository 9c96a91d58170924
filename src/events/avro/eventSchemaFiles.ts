import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../support/packageRoot.js';

import { CHAT_EVENT_TYPES, type ChatEventType } from '../chatEvents.js';
import { eventSubject } from '../registry/schemaRegistry.js';
import { SchemaInvalidError } from '../registry/schemaRegistryErrors.js';
import { parseAvroSchema } from './parseAvroSchema.js';

export { findPackageRoot } from '../../support/packageRoot.js';

/** schemas/events of this package. */
export function defaultEventSchemasDir(): string {
  return path.join(packageRoot(), 'schemas', 'events');
}

export function eventSchemaPath(dir: string, type: ChatEventType): string {
  return path.join(dir, `${type}.avsc`);
}

/**
 * Reads `<Type>.avsc` for every event type and checks each is valid Avro and names the record `chat.events.<Type>`,
 * so a misnamed or missing file fails at start-up instead of at the first event of that type.
 */
export async function loadEventSchemaFiles(
  dir: string = defaultEventSchemasDir(),
): Promise<Map<ChatEventType, string>> {
  const schemas = new Map<ChatEventType, string>();
  for (const type of CHAT_EVENT_TYPES) {
    const subject = eventSubject(type);
    const file = eventSchemaPath(dir, type);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new SchemaInvalidError(subject, `cannot read ${file}: ${messageOf(error)}`);
    }
    let name: string | undefined;
    try {
      name = parseAvroSchema(text).name;
    } catch (error) {
      throw new SchemaInvalidError(subject, `${file}: ${messageOf(error)}`);
    }
    if (name !== subject) {
      throw new SchemaInvalidError(subject, `${file} defines record ${String(name)}, expected ${subject}`);
    }
    schemas.set(type, text);
  }
  return schemas;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
