import { readdirSync } from 'node:fs';
import path from 'node:path';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_NAMES, CHAT_EVENT_TYPES, EVENT_CATEGORIES } from '../../src/events/chatEvents.js';
import { defaultEventSchemasDir, loadEventSchemaFiles } from '../../src/events/avro/eventSchemaFiles.js';
import { clientFrameSchema } from '../../src/gateway/protocol.js';
import { SERVER_FRAME_TYPES } from '../../src/gateway/serverFrames.js';
import { buildAsyncApiDocument } from '../../src/http/asyncapi.js';
import { AVRO_SCHEMA_FORMAT } from '../../src/http/asyncapiKafka.js';

// The AsyncAPI document (issue #15) is generated, so what is checked here is that the generation covers everything
// there is, judged by sources the document is not made from (API.md's tables, the files in schemas/events), and that
// the official parser finds nothing wrong with it.

/** API.md "WebSocket /ws": the names clients depend on. */
const API_MD_CLIENT_FRAMES = ['auth', 'room.subscribe', 'room.unsubscribe', 'chat.send', 'chat.edit', 'chat.delete', 'chat.typing', 'chat.read', 'pong'];
const API_MD_SERVER_FRAMES = ['auth.success', 'room.subscribed', 'chat.event', 'chat.ack', 'chat.typing', 'chat.error', 'ping'];

const built = async () => buildAsyncApiDocument({ version: '1.2.3', eventSchemas: await loadEventSchemaFiles() });

function parserWithAvro(): Parser {
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  return parser;
}

/** The names of the messages of an operation of the parsed document. */
function messageNames(document: AsyncAPIDocumentInterface, operationId: string): string[] {
  const operation = document.operations().get(operationId);
  if (!operation) throw new Error(`no operation ${operationId}`);
  return operation
    .messages()
    .all()
    .map((message) => message.name() ?? '(unnamed)');
}

describe('the AsyncAPI document', () => {
  let document: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await parserWithAvro().parse(JSON.stringify(await built()));
    // Only information (such as "a newer AsyncAPI version exists") is acceptable: no error, no warning.
    const problems = diagnostics
      .filter((diagnostic) => diagnostic.severity !== DiagnosticSeverity.Information && diagnostic.severity !== DiagnosticSeverity.Hint)
      .map((diagnostic) => `${DiagnosticSeverity[diagnostic.severity]} ${diagnostic.code}: ${diagnostic.message} at ${diagnostic.path.join('.')}`);
    expect(problems).toEqual([]);
    if (!parsed) throw new Error('the parser returned no document');
    document = parsed;
  });

  it('is AsyncAPI 3 with the service version', () => {
    expect(document.version()).toMatch(/^3\./);
    expect(document.info().version()).toBe('1.2.3');
  });

  it('describes every client frame the gateway parses, and those of API.md', () => {
    const parsedByGateway = clientFrameSchema.options.map((option) => option.shape.type.value);
    const documented = messageNames(document, 'receiveClientFrames');
    expect(documented.toSorted()).toEqual(parsedByGateway.toSorted());
    expect(documented).toEqual(expect.arrayContaining(API_MD_CLIENT_FRAMES));
  });

  it('describes every server frame the gateway sends, and those of API.md', () => {
    const documented = messageNames(document, 'sendServerFrames');
    expect(documented.toSorted()).toEqual([...SERVER_FRAME_TYPES].toSorted());
    expect(documented).toEqual(expect.arrayContaining(API_MD_SERVER_FRAMES));
  });

  it('describes chat.event for every room event type', () => {
    const roomEvents = CHAT_EVENT_TYPES.filter((type) => EVENT_CATEGORIES[type] === 'rooms');
    const payload = document.operations().get('sendServerFrames')?.messages().all().find((message) => message.name() === 'chat.event')?.payload();
    const eventNames = (payload?.oneOf() ?? []).map((option) => option.properties()?.['event']?.const());
    expect(eventNames.toSorted()).toEqual(roomEvents.toSorted());
  });

  it('has a message per event type on the events topic, for every file in schemas/events and every CHAT_EVENT_TYPES entry', () => {
    const files = readdirSync(defaultEventSchemasDir())
      .filter((file) => file.endsWith('.avsc'))
      .map((file) => path.basename(file, '.avsc'));
    const documented = messageNames(document, 'appendEvents');
    expect(documented.toSorted()).toEqual(files.toSorted());
    expect(documented.toSorted()).toEqual([...CHAT_EVENT_TYPES].toSorted());
    expect(messageNames(document, 'readEvents').toSorted()).toEqual(documented.toSorted());
  });

  it('gives each event its Avro schema, which the official Avro schema parser accepts', async () => {
    const schemas = await loadEventSchemaFiles();
    const parser = AvroSchemaParser();
    const events = document.channels().get('events');
    expect(events?.address()).toBe('chat.events');
    for (const type of CHAT_EVENT_TYPES) {
      const message = events?.messages().get(type);
      expect(message?.schemaFormat(), type).toBe(AVRO_SCHEMA_FORMAT);
      // The document carries the .avsc itself, as the service registers it.
      const original: unknown = message?.payload()?.extensions().get('x-parser-original-payload')?.value();
      expect(original, type).toEqual(JSON.parse(schemas.get(type) ?? 'null'));
      const problems = await parser.validate({
        asyncapi: document.meta().asyncapi,
        data: original,
        meta: {},
        path: ['channels', 'events', 'messages', type, 'payload', 'schema'],
        schemaFormat: AVRO_SCHEMA_FORMAT,
        defaultSchemaFormat: AVRO_SCHEMA_FORMAT,
      });
      expect(problems ?? [], type).toEqual([]);
      expect(message?.bindings().get('kafka')?.value(), type).toMatchObject({ schemaIdPayloadEncoding: 'confluent' });
    }
  });

  it('has the commands and replies topics under their default names, with keys and every command category', () => {
    expect(document.channels().get('commands')?.address()).toBe('chat.events.commands');
    expect(document.channels().get('replies')?.address()).toBe('chat.events.replies');
    expect(messageNames(document, 'sendCommands')).toEqual(['command']);
    expect(messageNames(document, 'decideCommands')).toEqual(['command']);
    expect(messageNames(document, 'sendReplies')).toEqual(['reply']);
    expect(messageNames(document, 'receiveReplies')).toEqual(['reply']);

    const command = document.channels().get('commands')?.messages().get('command');
    expect(command?.bindings().get('kafka')?.value()).toMatchObject({ key: { type: 'string' } });
    const body = command?.payload()?.properties()?.['body'];
    const categories = (body?.oneOf() ?? []).map((option) => option.properties()?.['category']?.const());
    expect(categories.toSorted()).toEqual([...CATEGORY_NAMES].toSorted());
  });
});
