import type { ChatEventType } from '../chatEvents.js';

/** One version of one subject, as the registry stores it. */
export interface RegisteredSchema {
  /** Global id, shared by every subject that registered the same schema; written into each event's bytes. */
  id: number;
  subject: string;
  /** 1-based, per subject. */
  version: number;
  /** The schema's JSON text as first registered. */
  schema: string;
}

/**
 * Where event schemas live and get their ids. The embedded adapter keeps them in SQLite; the distributed one talks
 * to a Confluent-compatible registry, so both must behave like Confluent's: ids are global and never reused, and
 * registering a schema that is already a version of the subject returns its id instead of adding a version.
 */
export interface SchemaRegistry {
  /**
   * Registers `schema` under `subject` and returns its id. Idempotent: the same schema (compared in canonical
   * form, so whitespace and key order do not matter) returns the same id. A new version must be able to read data
   * written with the subject's earlier versions, or SchemaIncompatibleError is thrown and nothing is stored.
   */
  register(subject: string, schema: string): Promise<number>;
  /** The schema text for an id; throws SchemaNotFoundError when there is none. */
  getSchema(id: number): Promise<string>;
  /** Every version of a subject, oldest first; empty for an unknown subject. */
  listVersions(subject: string): Promise<RegisteredSchema[]>;
  /** Every version of every subject, ordered by subject then version. */
  allSchemas(): Promise<RegisteredSchema[]>;
}

/** The namespace of every event record schema (schemas/events/*.avsc). */
export const EVENT_SCHEMA_NAMESPACE = 'chat.events';

/**
 * Subjects are named after the record's full name (Confluent's RecordNameStrategy), e.g. `chat.events.MessageSent`,
 * not after a topic: the embedded log has no topics, and one name per event type lets the Kafka adapter put
 * several event types on one topic (RecordNameStrategy, or TopicRecordNameStrategy by prefixing the topic).
 */
export function eventSubject(type: ChatEventType): string {
  return `${EVENT_SCHEMA_NAMESPACE}.${type}`;
}

/** The subject behind a prefix, e.g. `staging.chat.events.MessageSent`: deployments sharing a registry stay apart. */
export function prefixedEventSubject(prefix: string, type: ChatEventType): string {
  return `${prefix}${eventSubject(type)}`;
}
