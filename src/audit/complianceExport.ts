// `chat audit export`: one room's events in a time range, as stored and as read, with a manifest that lets a later
// `chat audit verify --export` prove the export complete and unaltered (issue #7).

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { roomStreamId } from '../domain/ids.js';
import type { RecordedEvent } from '../events/envelope.js';
import { eventHash } from '../events/hashChain.js';
import { allStoredEvents, type StoredEvent, type StoredEventReader } from '../eventlog/storedEventReader.js';
import { AuditToolError } from './auditErrors.js';
import { EVENTS_FILE, EXPORT_FORMAT, MANIFEST_FILE, type ExportLine, type ExportManifest } from './exportFormat.js';

export interface ExportRequest {
  roomId: string;
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
  outputDir: string;
}

export interface ExportDeps {
  reader: StoredEventReader;
  decode: (stored: StoredEvent) => Promise<RecordedEvent>;
  /** The writer schema text of a schema id (the registry's). */
  schemaText: (schemaId: number) => Promise<string>;
  toolVersion: string;
  now: () => number;
}

/**
 * Writes the export. The events exported are a contiguous run of the room stream's versions: from the first event
 * that occurred at or after `from` to the last that occurred before `to` (with every version in between, so the
 * chain has no holes even if clocks were not monotonic).
 */
export async function exportRoom(request: ExportRequest, deps: ExportDeps): Promise<ExportManifest> {
  if (!(request.from < request.to)) throw new AuditToolError('OPTION_INVALID', '--from must be before --to');
  await prepareOutputDir(request.outputDir);
  const streamId = roomStreamId(request.roomId);

  // Pass 1: which versions fall in the range (bodies are not kept: a room may be large).
  let firstVersion: number | undefined;
  let lastVersion: number | undefined;
  for await (const stored of allStoredEvents(deps.reader, { streamId })) {
    const event = await deps.decode(stored);
    const at = event.metadata.occurredAt;
    if (at >= request.from && at < request.to) {
      firstVersion ??= event.streamVersion;
      lastVersion = event.streamVersion;
    }
  }

  const out = createWriteStream(path.join(request.outputDir, EVENTS_FILE), { flags: 'wx' });
  const byType: Record<string, number> = {};
  const schemaIds = new Set<number>();
  const attachments: NonNullable<ExportManifest['attachments']> = [];
  let total = 0;
  let anchorHash: string | null = null;
  let finalHash: string | null = null;
  if (firstVersion !== undefined && lastVersion !== undefined) {
    // Pass 2: the run itself.
    for await (const stored of allStoredEvents(deps.reader, { streamId })) {
      if (stored.streamVersion < firstVersion || stored.streamVersion > lastVersion) continue;
      const event = await deps.decode(stored);
      const line = exportLine(stored, event);
      if (total === 0) anchorHash = line.previousHash;
      finalHash = line.hash;
      total += 1;
      byType[line.type] = (byType[line.type] ?? 0) + 1;
      schemaIds.add(stored.body.readUInt32BE(1));
      if (event.type === 'MessageSent') {
        for (const file of event.data.attachments ?? []) {
          const { fileId, contentType, size, sha256 } = file;
          attachments.push({ messageId: event.data.messageId, seq: event.streamVersion, fileId, contentType, size, sha256 });
        }
      }
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');

  const schemas: Record<string, string> = {};
  for (const id of [...schemaIds].sort((a, b) => a - b)) schemas[String(id)] = await deps.schemaText(id);
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    tool: { name: 'chat', version: deps.toolVersion },
    createdAt: new Date(deps.now()).toISOString(),
    room: request.roomId,
    streamId,
    range: { from: new Date(request.from).toISOString(), to: new Date(request.to).toISOString() },
    file: EVENTS_FILE,
    counts: { total, byType },
    firstVersion: total === 0 ? null : (firstVersion ?? null),
    lastVersion: total === 0 ? null : (lastVersion ?? null),
    anchorHash,
    finalHash,
    attachments,
    schemas,
  };
  await writeFile(path.join(request.outputDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
  return manifest;
}

function exportLine(stored: StoredEvent, event: RecordedEvent): ExportLine {
  const { metadata } = event;
  return {
    streamId: stored.streamId,
    streamVersion: event.streamVersion,
    partition: stored.partition,
    position: stored.position,
    occurredAt: new Date(metadata.occurredAt).toISOString(),
    type: event.type,
    eventId: event.eventId,
    previousHash: event.previousHash,
    hash: eventHash(stored.body),
    body: stored.body.toString('base64'),
    event: eventView(event),
  };
}

/** The decoded event as an export line shows it (JSON-safe, as it reads back). */
export function eventView(event: RecordedEvent): ExportLine['event'] {
  const { metadata } = event;
  return {
    eventId: event.eventId,
    type: event.type,
    actorId: metadata.actorId,
    commandId: metadata.commandId,
    correlationId: metadata.correlationId,
    data: { ...event.data },
  };
}

/** An export never overwrites: the directory is created, or must be empty. */
async function prepareOutputDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw new AuditToolError('OUTPUT_EXISTS', `${dir} is not empty: an export never overwrites files`);
  }
}
