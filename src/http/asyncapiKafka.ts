import { commandBodySchema, commandBodySchemas, commandEnvelopeSchema, commandReplySchema } from '../commands/processor/commandMessages.js';
import { COMMANDS_TOPIC_CONFIG, REPLIES_TOPIC_CONFIG, commandTopicNames } from '../commands/processor/commandTopics.js';
import { eventLogSettings } from '../config/settings/eventLogSettings.js';
import { CATEGORY_NAMES, CHAT_EVENT_TYPES, EVENT_CATEGORIES, type ChatEventType } from '../events/chatEvents.js';
import { eventSubject } from '../events/registry/schemaRegistry.js';
import { EVENTS_TOPIC_CONFIG } from '../eventlog/kafka/eventTopicSetup.js';
import type { AsyncApiPart, MessageObject } from './asyncapiParts.js';
import { payloadSchemaOf } from './payloadSchema.js';

// The Kafka half of the AsyncAPI document (distributed mode, docs/operators.md): the events topic with one message
// per event type, its payload the very .avsc the service registers, and the commands and replies topics between
// the api/gateway roles and the command processor, their payloads the zod schemas the processor parses them with.
// Topic names are the settings' defaults, each configurable; the document says which variable sets it.

export const KAFKA_SERVER = 'kafka';
/** The Avro version the avro schema parser of AsyncAPI tools reads; the .avsc files use nothing newer. */
export const AVRO_SCHEMA_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';

const EVENTS_TOPIC = eventLogSettings.KAFKA_EVENTS_TOPIC.parse(undefined);
const PARTITIONS = eventLogSettings.KAFKA_PARTITIONS.parse(undefined);
const COMMAND_TOPICS = commandTopicNames(EVENTS_TOPIC);

/** The text of each event type's .avsc (events/avro/eventSchemaFiles.ts loads them). */
export type EventSchemaTexts = ReadonlyMap<ChatEventType, string>;

export function kafkaPart(eventSchemas: EventSchemaTexts): AsyncApiPart {
  const events = new Map(CHAT_EVENT_TYPES.map((type) => [type, eventMessage(type, eventSchemas)]));
  const refs = (channel: string, keys: Iterable<string>) => [...keys].map((key) => ({ $ref: `#/channels/${channel}/messages/${key}` }));
  const channel = (name: string) => ({ $ref: `#/channels/${name}` });
  return {
    channels: {
      events: {
        address: EVENTS_TOPIC,
        title: 'Events',
        description:
          `The event log: every event of every stream, kept forever. Named by KAFKA_EVENTS_TOPIC (default ` +
          `\`${EVENTS_TOPIC}\`), with KAFKA_PARTITIONS partitions (default ${PARTITIONS}) when the service creates ` +
          "it; never add partitions to it, streams would move. Keyed by stream id, so a stream's events are in one " +
          'partition, in order. Values are Avro in the Confluent wire format, one schema per event type.',
        servers: [{ $ref: `#/servers/${KAFKA_SERVER}` }],
        messages: Object.fromEntries(events),
        bindings: kafkaChannelBinding(EVENTS_TOPIC, EVENTS_TOPIC_CONFIG, PARTITIONS),
      },
      commands: {
        address: COMMAND_TOPICS.commands,
        title: 'Commands',
        description:
          `Commands to the command processor, JSON. Named by KAFKA_COMMANDS_TOPIC (default \`<KAFKA_EVENTS_TOPIC>.commands\`, ` +
          `\`${COMMAND_TOPICS.commands}\`); the events topic's partition count, since command partition p is events ` +
          'partition p: keyed by stream id, so the processor owning a partition is the single writer of its streams.',
        servers: [{ $ref: `#/servers/${KAFKA_SERVER}` }],
        messages: { command: commandMessage() },
        bindings: kafkaChannelBinding(COMMAND_TOPICS.commands, COMMANDS_TOPIC_CONFIG, PARTITIONS),
      },
      replies: {
        address: COMMAND_TOPICS.replies,
        title: 'Replies',
        description:
          `The command processor's outcomes, JSON. Named by KAFKA_REPLIES_TOPIC (default \`<KAFKA_EVENTS_TOPIC>.replies\`, ` +
          `\`${COMMAND_TOPICS.replies}\`). Keyed by command id and compacted: the one reply kept per command is the ` +
          'first outcome, which a retry gets again.',
        servers: [{ $ref: `#/servers/${KAFKA_SERVER}` }],
        messages: { reply: replyMessage() },
        bindings: kafkaChannelBinding(COMMAND_TOPICS.replies, REPLIES_TOPIC_CONFIG, PARTITIONS),
      },
    },
    operations: {
      appendEvents: {
        action: 'send',
        title: 'Append events',
        summary:
          "The command processor (the only writer: no api or gateway process appends) writes a command's events in " +
          "one Kafka transaction with its reply and the command's offset.",
        channel: channel('events'),
        messages: refs('events', events.keys()),
      },
      readEvents: {
        action: 'receive',
        title: 'Read events',
        summary: "Every process's local index, the projectors and the gateways' live fan-out read the log.",
        channel: channel('events'),
        messages: refs('events', events.keys()),
      },
      sendCommands: {
        action: 'send',
        title: 'Send commands',
        summary: 'The api and gateway roles send each command and wait for its reply.',
        channel: channel('commands'),
        messages: refs('commands', ['command']),
        reply: { channel: channel('replies'), messages: refs('replies', ['reply']) },
      },
      decideCommands: {
        action: 'receive',
        title: 'Decide commands',
        summary: 'The command-processor group: each partition has one owner, which decides and appends.',
        channel: channel('commands'),
        messages: refs('commands', ['command']),
      },
      sendReplies: {
        action: 'send',
        title: 'Send replies',
        summary: "The command processor answers every command it can read, in the same transaction as the command's events.",
        channel: channel('replies'),
        messages: refs('replies', ['reply']),
      },
      receiveReplies: {
        action: 'receive',
        title: 'Receive replies',
        summary: 'The api and gateway roles read the replies to the commands they sent.',
        channel: channel('replies'),
        messages: refs('replies', ['reply']),
      },
    },
  };
}

function eventMessage(type: ChatEventType, eventSchemas: EventSchemaTexts): MessageObject {
  const text = eventSchemas.get(type);
  if (text === undefined) throw new Error(`no Avro schema for ${type}`);
  const schema: unknown = JSON.parse(text);
  const doc = docOf(schema);
  return {
    name: type,
    title: type,
    ...(doc ? { summary: doc } : {}),
    description:
      `Appended to \`${EVENT_CATEGORIES[type]}\` streams. The value is the Confluent wire format: byte 0, the ` +
      `schema id (4 bytes, big-endian) of subject \`${eventSubject(type)}\` (RecordNameStrategy; SCHEMA_SUBJECT_PREFIX ` +
      'goes before it), then the Avro binary of the record below (schemas/events/' +
      `${type}.avsc). The envelope's fields are the same in every type; \`data\` is the event's own.`,
    contentType: 'application/octet-stream',
    payload: { schemaFormat: AVRO_SCHEMA_FORMAT, schema },
    headers: {
      type: 'object',
      properties: {
        'event-type': { type: 'string', const: type, description: 'For tools that read the topic without decoding it.' },
        'event-id': { type: 'string', description: "The event's id, as in the value." },
      },
      required: ['event-type', 'event-id'],
    },
    bindings: {
      kafka: {
        key: { type: 'string', description: 'The stream id: room-<id>, user-<id>, receipts-<userId>, ...' },
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        schemaLookupStrategy: 'RecordNameStrategy',
        bindingVersion: '0.5.0',
      },
    },
  };
}

function commandMessage(): MessageObject {
  return {
    name: 'command',
    title: 'Command',
    summary: 'One command in its envelope: who sent it, the stream it is for, and the command of that stream category.',
    contentType: 'application/json',
    payload: payloadSchemaOf(commandEnvelopeSchema, (ctx) => {
      // The body is parsed by a transform (to name an unknown category first): its shapes are each category's.
      if (ctx.zodSchema !== commandBodySchema) return;
      ctx.jsonSchema.description = 'The command, with the stream category whose decider takes it.';
      ctx.jsonSchema.oneOf = CATEGORY_NAMES.map((name) => payloadSchemaOf(commandBodySchemas[name]));
    }),
    headers: {
      type: 'object',
      properties: { 'command-id': { type: 'string', description: "The envelope's commandId." } },
      required: ['command-id'],
    },
    bindings: { kafka: { key: { type: 'string', description: "The envelope's streamId." }, bindingVersion: '0.5.0' } },
  };
}

function replyMessage(): MessageObject {
  return {
    name: 'reply',
    title: 'Reply',
    summary: "A command's outcome: accepted with the places of its events in the events topic, or rejected with a code.",
    contentType: 'application/json',
    payload: payloadSchemaOf(commandReplySchema),
    bindings: { kafka: { key: { type: 'string', description: "The reply's commandId." }, bindingVersion: '0.5.0' } },
  };
}

/** The topic settings the service creates the topic with, in the binding's terms (kafkajs gives them as strings). */
function kafkaChannelBinding(topic: string, config: ReadonlyArray<{ name: string; value: string }>, partitions: number): object {
  const topicConfiguration = Object.fromEntries(
    config.map(({ name, value }) => [name, name === 'cleanup.policy' ? value.split(',') : Number(value)]),
  );
  return { kafka: { topic, partitions, topicConfiguration, bindingVersion: '0.5.0' } };
}

function docOf(schema: unknown): string | undefined {
  return typeof schema === 'object' && schema !== null && 'doc' in schema && typeof schema.doc === 'string' ? schema.doc : undefined;
}

