import { ChatError } from '../../domain/errors.js';

// One class per failure kind (as in @kafkajs/confluent-schema-registry), so callers can tell a bad deployment
// (invalid or incompatible schema) from a missing one without parsing messages.

/** The text is not a valid Avro schema (not JSON, or rejected by the Avro parser). */
export class SchemaInvalidError extends ChatError {
  constructor(
    readonly subject: string | undefined,
    readonly reason: string,
  ) {
    super('SCHEMA_INVALID', `invalid Avro schema${subject === undefined ? '' : ` for ${subject}`}: ${reason}`, {
      subject,
      reason,
    });
  }
}

/** A new schema version cannot read data written with an earlier version of its subject. */
export class SchemaIncompatibleError extends ChatError {
  constructor(
    readonly subject: string,
    readonly reason: string,
    /** The earlier version the new schema cannot read. */
    readonly againstVersion?: number,
  ) {
    super(
      'SCHEMA_INCOMPATIBLE',
      `schema for ${subject} is not backward compatible${
        againstVersion === undefined ? '' : ` with version ${againstVersion}`
      }: ${reason}`,
      { subject, reason, againstVersion },
    );
  }
}

/** No schema is registered under this id. */
export class SchemaNotFoundError extends ChatError {
  constructor(readonly schemaId: number) {
    super('SCHEMA_NOT_FOUND', `no schema registered with id ${schemaId}`, { schemaId });
  }
}
