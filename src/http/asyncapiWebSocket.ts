import { z } from 'zod';
import { CLOSE_CODES } from '../gateway/closeCodes.js';
import { clientFrameSchema } from '../gateway/protocol.js';
import { SERVER_FRAME_SCHEMAS, SERVER_FRAME_TYPES } from '../gateway/serverFrames.js';
import type { AsyncApiPart, MessageObject } from './asyncapiParts.js';
import { payloadSchemaOf } from './payloadSchema.js';

// The WebSocket half of the AsyncAPI document: one channel, the connection at /ws, with every frame both ways.
// Client frames come from the schemas the gateway parses them with (protocol.ts), server frames from the schemas
// the gateway's frame types are inferred from (serverFrames.ts); a frame type is a message's name, as in API.md.

export const WEB_SOCKET_SERVER = 'gateway';
const CHANNEL = 'webSocket';

/** Message keys: the two directions share type names (chat.typing), so each key says its direction. */
const clientMessageKey = (type: string): string => `client.${type}`;
const serverMessageKey = (type: string): string => `server.${type}`;

export function webSocketPart(): AsyncApiPart {
  const client = new Map<string, MessageObject>();
  for (const option of clientFrameSchema.options) {
    const type = option.shape.type.value;
    client.set(clientMessageKey(type), frameMessage(type, option));
  }
  const server = new Map<string, MessageObject>();
  for (const type of SERVER_FRAME_TYPES) server.set(serverMessageKey(type), frameMessage(type, SERVER_FRAME_SCHEMAS[type]));

  const refs = (keys: Iterable<string>) => [...keys].map((key) => ({ $ref: `#/channels/${CHANNEL}/messages/${key}` }));
  return {
    channels: {
      [CHANNEL]: {
        address: '/ws',
        title: 'WebSocket',
        description:
          'One connection per client, JSON text frames `{"type": ..., ...}`. Authentication is in band: the first ' +
          'frame is `auth` with an access token (never in the URL). The server pings; a client that does not answer ' +
          'with pong is dropped. A client frame may carry an `id`, echoed as `ref` in its answer (chat.send is ' +
          `answered by its clientMessageId). Close codes: ${closeCodeList()}.`,
        servers: [{ $ref: `#/servers/${WEB_SOCKET_SERVER}` }],
        messages: Object.fromEntries([...client, ...server]),
        bindings: { ws: { method: 'GET', bindingVersion: '0.1.0' } },
      },
    },
    operations: {
      receiveClientFrames: {
        action: 'receive',
        title: 'Client → server frames',
        summary: 'What a client sends; each is validated strictly, an unknown field or type is answered by chat.error.',
        channel: { $ref: `#/channels/${CHANNEL}` },
        messages: refs(client.keys()),
      },
      sendServerFrames: {
        action: 'send',
        title: 'Server → client frames',
        summary: 'What the gateway sends; clients must ignore fields they do not know.',
        channel: { $ref: `#/channels/${CHANNEL}` },
        messages: refs(server.keys()),
      },
    },
  };
}

function frameMessage(type: string, schema: z.ZodType): MessageObject {
  const description = z.globalRegistry.get(schema)?.description;
  return {
    name: type,
    title: type,
    ...(description ? { summary: description } : {}),
    contentType: 'application/json',
    payload: payloadSchemaOf(schema),
  };
}

function closeCodeList(): string {
  return Object.entries(CLOSE_CODES)
    .map(([name, code]) => `${code} ${name}`)
    .join(', ');
}
