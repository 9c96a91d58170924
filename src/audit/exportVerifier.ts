// `chat audit verify --export`: proves an export complete and unaltered from its own files (issue #7). Every line's
// hash is recomputed from its stored body; the body, decoded with the writer schema the manifest carries, must say
// what the line says; the chain must run unbroken from the manifest's anchor to its final hash; counts must match.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Type } from 'avsc';
import { isDeepStrictEqual } from 'node:util';
import { eventHash } from '../events/hashChain.js';
import { parseAvroSchema } from '../events/avro/parseAvroSchema.js';
import { AuditToolError } from './auditErrors.js';
import { EVENTS_FILE, MANIFEST_FILE, exportLineSchema, manifestSchema, type ExportLine, type ExportManifest } from './exportFormat.js';

export interface ExportProblem {
  /** 1-based line of events.jsonl, or undefined for the manifest as a whole. */
  line?: number;
  message: string;
}

export type ExportVerifyResult =
  | { ok: true; manifest: ExportManifest }
  | { ok: false; problem: ExportProblem };

const NAMESPACE = 'chat.events.';

export interface ExportVerifyOptions {
  /**
   * Where the service's codec and personal data keys are at hand: the decoded view a body must show (as the export
   * wrote it). Then every line's `event` is checked whole, sealed texts included; without it, only the fields the
   * body holds in the clear can be checked.
   */
  viewOf?: (body: Buffer, at: { partition: number; position: number }) => Promise<unknown>;
}

/** `target`: the export's directory or its manifest.json. */
export async function verifyExport(target: string, options: ExportVerifyOptions = {}): Promise<ExportVerifyResult> {
  const dir = await exportDir(target);
  let manifest: ExportManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')));
  } catch (error) {
    return fail(undefined, `${MANIFEST_FILE} is not a valid export manifest: ${messageOf(error)}`);
  }
  let text: string;
  try {
    text = await readFile(path.join(dir, manifest.file), 'utf8');
  } catch (error) {
    return fail(undefined, `${EVENTS_FILE} cannot be read: ${messageOf(error)}`);
  }
  const writers = new Map<number, Type>();
  for (const [id, schema] of Object.entries(manifest.schemas)) {
    try {
      writers.set(Number(id), parseAvroSchema(schema));
    } catch (error) {
      return fail(undefined, `the manifest's schema ${id} is not valid Avro: ${messageOf(error)}`);
    }
  }

  const rawLines = text.split('\n');
  if (rawLines.at(-1) === '') rawLines.pop();
  const byType: Record<string, number> = {};
  let previous: ExportLine | undefined;
  for (const [index, raw] of rawLines.entries()) {
    const lineNo = index + 1;
    let line: ExportLine;
    try {
      line = exportLineSchema.parse(JSON.parse(raw));
    } catch (error) {
      return fail(lineNo, `not a valid export line: ${messageOf(error)}`);
    }
    const body = Buffer.from(line.body, 'base64');
    const hash = eventHash(body);
    if (hash !== line.hash) return fail(lineNo, `the body's hash is ${hash}, the line says ${line.hash}`);
    const stored = decodeBody(body, writers);
    if (typeof stored === 'string') return fail(lineNo, stored);
    const mismatch = disagreement(line, stored);
    if (mismatch !== undefined) return fail(lineNo, mismatch);
    if (options.viewOf !== undefined) {
      let view: unknown;
      try {
        view = JSON.parse(JSON.stringify(await options.viewOf(body, { partition: line.partition, position: line.position })));
      } catch (error) {
        return fail(lineNo, `the body cannot be read as the service reads it: ${messageOf(error)}`);
      }
      if (!isDeepStrictEqual(view, line.event)) {
        return fail(lineNo, `the decoded event says ${JSON.stringify(line.event)}, the stored body reads ${JSON.stringify(view)}`);
      }
    }

    if (line.streamId !== manifest.streamId) return fail(lineNo, `stream ${line.streamId}, the manifest says ${manifest.streamId}`);
    if (previous === undefined) {
      if (line.streamVersion !== manifest.firstVersion) {
        return fail(lineNo, `the first event is version ${line.streamVersion}, the manifest says ${String(manifest.firstVersion)}`);
      }
      if (stored.previousHash !== manifest.anchorHash) {
        return fail(lineNo, `the first event's previousHash ${String(stored.previousHash)} is not the anchor ${String(manifest.anchorHash)}`);
      }
      if (Date.parse(line.occurredAt) < Date.parse(manifest.range.from)) {
        return fail(lineNo, `the first event occurred at ${line.occurredAt}, before the range starts`);
      }
    } else {
      if (line.streamVersion !== previous.streamVersion + 1) {
        return fail(lineNo, `version ${line.streamVersion} follows version ${previous.streamVersion}: an event is missing or moved`);
      }
      if (stored.previousHash !== previous.hash) {
        return fail(lineNo, `previousHash ${String(stored.previousHash)} is not the hash of line ${lineNo - 1} (${previous.hash})`);
      }
    }
    byType[line.type] = (byType[line.type] ?? 0) + 1;
    previous = line;
  }

  if (rawLines.length !== manifest.counts.total) {
    return fail(undefined, `${rawLines.length} events in ${EVENTS_FILE}, the manifest counts ${manifest.counts.total}`);
  }
  if (!isDeepStrictEqual(sorted(byType), sorted(manifest.counts.byType))) {
    return fail(undefined, `counts by type are ${JSON.stringify(sorted(byType))}, the manifest says ${JSON.stringify(sorted(manifest.counts.byType))}`);
  }
  if (previous === undefined) {
    if (manifest.firstVersion !== null || manifest.lastVersion !== null || manifest.finalHash !== null || manifest.anchorHash !== null) {
      return fail(undefined, 'the export holds no events but the manifest names a chain');
    }
    return { ok: true, manifest };
  }
  if (previous.streamVersion !== manifest.lastVersion) {
    return fail(undefined, `the last event is version ${previous.streamVersion}, the manifest says ${String(manifest.lastVersion)}`);
  }
  if (previous.hash !== manifest.finalHash) {
    return fail(undefined, `the chain ends at ${previous.hash}, the manifest's final hash is ${String(manifest.finalHash)}`);
  }
  if (Date.parse(previous.occurredAt) >= Date.parse(manifest.range.to)) {
    return fail(undefined, `the last event occurred at ${previous.occurredAt}, after the range ends`);
  }
  return { ok: true, manifest };
}

interface StoredFields {
  type: string;
  eventId: string;
  streamId: string;
  streamVersion: number;
  occurredAt: number;
  previousHash: string | null;
  data: Record<string, unknown>;
}

/** The envelope and payload as the body itself holds them, read with the writer schema; a string says why not. */
function decodeBody(body: Buffer, writers: Map<number, Type>): StoredFields | string {
  if (body.length < 5 || body[0] !== 0) return 'the body is not in the Confluent wire format';
  const schemaId = body.readUInt32BE(1);
  const writer = writers.get(schemaId);
  if (writer === undefined) return `the body's schema id ${schemaId} is not in the manifest`;
  let value: unknown;
  try {
    value = writer.fromBuffer(body.subarray(5));
  } catch (error) {
    return `the body does not decode with schema ${schemaId}: ${messageOf(error)}`;
  }
  const name = writer.name ?? '';
  if (!isRecord(value) || !name.startsWith(NAMESPACE)) return `schema ${schemaId} is not an event schema`;
  const { eventId, streamId, streamVersion, occurredAt, previousHash, data } = value;
  if (
    typeof eventId !== 'string' ||
    typeof streamId !== 'string' ||
    typeof streamVersion !== 'number' ||
    typeof occurredAt !== 'number' ||
    !(previousHash === undefined || previousHash === null || typeof previousHash === 'string') ||
    !isRecord(data)
  ) {
    return `the body's envelope does not have the fields of an event (schema ${schemaId})`;
  }
  return {
    type: name.slice(NAMESPACE.length),
    eventId,
    streamId,
    streamVersion,
    occurredAt,
    previousHash: previousHash ?? null,
    data,
  };
}

/**
 * What the line says against what its body says. The decoded `event.data` is checked on every field the body holds
 * in the clear; sealed personal data (stored empty, the plaintext only in ciphertext) cannot be checked without the
 * key, and erased data is gone for good.
 */
function disagreement(line: ExportLine, stored: StoredFields): string | undefined {
  const checks: [string, unknown, unknown][] = [
    ['type', line.type, stored.type],
    ['eventId', line.eventId, stored.eventId],
    ['streamId', line.streamId, stored.streamId],
    ['streamVersion', line.streamVersion, stored.streamVersion],
    ['occurredAt', Date.parse(line.occurredAt), stored.occurredAt],
    ['previousHash', line.previousHash, stored.previousHash],
    ['event.eventId', line.event.eventId, stored.eventId],
    ['event.type', line.event.type, stored.type],
  ];
  for (const [field, said, held] of checks) {
    if (said !== held) return `${field} says ${JSON.stringify(said)}, the stored body holds ${JSON.stringify(held)}`;
  }
  for (const [field, held] of Object.entries(stored.data)) {
    const inTheClear = (typeof held === 'string' && held !== '') || typeof held === 'number' || typeof held === 'boolean';
    if (!inTheClear || field === 'erased') continue;
    if (field === 'passwordHash') continue;
    if (!isDeepStrictEqual(line.event.data[field], held)) {
      return `event.data.${field} says ${JSON.stringify(line.event.data[field])}, the stored body holds ${JSON.stringify(held)}`;
    }
  }
  return undefined;
}

async function exportDir(target: string): Promise<string> {
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new AuditToolError('EXPORT_UNREADABLE', `${target} does not exist`);
  }
  return info.isDirectory() ? target : path.dirname(target);
}

function fail(line: number | undefined, message: string): ExportVerifyResult {
  return { ok: false, problem: line === undefined ? { message } : { line, message } };
}

function sorted(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
