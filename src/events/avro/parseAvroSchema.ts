import avro from 'avsc';
import type { Type } from 'avsc';

/**
 * Parses schema JSON text into an avsc Type; throws a plain Error with avsc's reason when it is not valid Avro.
 * Logical types are deliberately not registered, so `timestamp-millis` longs read as numbers: the envelope keeps
 * occurredAt as epoch milliseconds, while other Avro readers still see the standard logical type.
 */
export function parseAvroSchema(schemaText: string): Type {
  return avro.Type.forSchema(JSON.parse(schemaText));
}
