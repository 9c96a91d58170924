// `chat audit export` and `chat audit verify --export`, in process: the selection, the files, and every kind of
// tampering with them detected.

import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditToolError } from '../../src/audit/auditErrors.js';
import { exportRoom } from '../../src/audit/complianceExport.js';
import { EVENTS_FILE, MANIFEST_FILE, exportLineSchema, manifestSchema } from '../../src/audit/exportFormat.js';
import { verifyExport } from '../../src/audit/exportVerifier.js';
import { eventHash } from '../../src/events/hashChain.js';
import { sampleEvent } from '../support/sampleEvents.js';

/** A file one of the messages carries. */
const PHOTO = {
  fileId: 'f-photo',
  name: 'photo.jpg',
  contentType: 'image/jpeg',
  size: 2048,
  sha256: 'd'.repeat(64),
  width: 64,
  height: 48,
  thumbnail: true,
};
import { openAuditTestLog, type AuditTestLog } from './auditTestLog.js';

const T0 = Date.UTC(2026, 0, 1);
const minute = 60_000;

describe('compliance export', () => {
  let t: AuditTestLog;
  let out: string;

  const exportBetween = (from: number, to: number, outputDir = out) =>
    exportRoom(
      { roomId: 'r-1', from, to, outputDir },
      {
        reader: t.log,
        decode: async (stored) => t.codec.decode(stored.body, { partition: stored.partition, position: stored.position }),
        schemaText: (id) => t.registry.getSchema(id),
        toolVersion: '9.9.9',
        now: () => T0 + 100 * minute,
      },
    );
  const lines = async (dir = out) =>
    (await readFile(join(dir, EVENTS_FILE), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => exportLineSchema.parse(JSON.parse(line)));
  const rewrite = async (dir: string, change: (lines: string[]) => string[]) => {
    const text = (await readFile(join(dir, EVENTS_FILE), 'utf8')).trim().split('\n');
    await writeFile(join(dir, EVENTS_FILE), `${change(text).join('\n')}\n`);
  };
  const copy = async (name: string) => {
    const dir = join(t.dir, name);
    await cp(out, dir, { recursive: true });
    return dir;
  };

  beforeEach(async () => {
    t = await openAuditTestLog();
    out = join(t.dir, 'export');
    // Room r-1: created at T0, then one event a minute; another room in between that must not leak in.
    const at = (n: number) => ({ metadata: { occurredAt: T0 + n * minute } });
    await t.log.append('room-r-1', 'no-stream', [
      sampleEvent('RoomCreated', { data: { roomId: 'r-1' }, ...at(0) }),
      sampleEvent('MemberJoined', { data: { roomId: 'r-1', userId: 'u-alice', role: 'owner' }, ...at(1) }),
    ]);
    await t.log.append('room-r-2', 'no-stream', [sampleEvent('RoomCreated', { data: { roomId: 'r-2' }, ...at(2) })]);
    await t.log.append('room-r-1', 2, [
      sampleEvent('MessageSent', { data: { roomId: 'r-1', messageId: 'r-1.3', text: 'first', clientMessageId: 'c1' }, ...at(3) }),
      sampleEvent('MessageSent', {
        data: { roomId: 'r-1', messageId: 'r-1.4', text: 'second', clientMessageId: 'c2', attachments: [PHOTO] },
        ...at(4),
      }),
      sampleEvent('MessageEdited', { data: { roomId: 'r-1', messageId: 'r-1.3', text: 'first, edited' }, ...at(5) }),
      sampleEvent('MessageDeleted', { data: { roomId: 'r-1', messageId: 'r-1.4' }, ...at(6) }),
    ]);
  });

  afterEach(async () => {
    await t.close();
  });

  it('exports the room events in the range with a manifest that pins both ends of the chain, and verifies', async () => {
    const manifest = await exportBetween(T0 + 1 * minute, T0 + 6 * minute);
    const exported = await lines();
    expect(exported.map((line) => [line.streamVersion, line.type])).toEqual([
      [2, 'MemberJoined'],
      [3, 'MessageSent'],
      [4, 'MessageSent'],
      [5, 'MessageEdited'],
    ]);
    const stored = (await t.log.readStoredStream('room-r-1', 1, 10)).map((event) => event.body);
    expect(exported[0]).toMatchObject({ streamId: 'room-r-1', partition: 0, occurredAt: new Date(T0 + minute).toISOString() });
    expect(Buffer.from(exported[0]?.body ?? '', 'base64').equals(stored[1] ?? Buffer.alloc(0))).toBe(true);
    expect(exported[1]?.event).toMatchObject({ type: 'MessageSent', data: { text: 'first' } });

    expect(manifestSchema.parse(JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')))).toEqual(manifest);
    expect(manifest).toMatchObject({
      room: 'r-1',
      streamId: 'room-r-1',
      range: { from: new Date(T0 + minute).toISOString(), to: new Date(T0 + 6 * minute).toISOString() },
      counts: { total: 4, byType: { MemberJoined: 1, MessageSent: 2, MessageEdited: 1 } },
      firstVersion: 2,
      lastVersion: 5,
      anchorHash: eventHash(stored[0] ?? Buffer.alloc(0)),
      finalHash: eventHash(stored[4] ?? Buffer.alloc(0)),
      tool: { name: 'chat', version: '9.9.9' },
      // The files the exported messages carried, with their hashes (issue #16); the log never holds their bytes.
      attachments: [{ messageId: 'r-1.4', seq: 4, fileId: 'f-photo', contentType: 'image/jpeg', size: 2048, sha256: PHOTO.sha256 }],
    });
    expect(exported[2]?.event).toMatchObject({ data: { attachments: [{ ...PHOTO }] } });
    expect(Object.keys(manifest.schemas).length).toBeGreaterThan(0);

    expect(await verifyExport(out)).toMatchObject({ ok: true });
    expect(await verifyExport(join(out, MANIFEST_FILE))).toMatchObject({ ok: true });
  });

  it('exports an empty range as an empty, verifiable export', async () => {
    const manifest = await exportBetween(T0 + 60 * minute, T0 + 61 * minute);
    expect(manifest).toMatchObject({ counts: { total: 0, byType: {} }, firstVersion: null, anchorHash: null, finalHash: null });
    expect(await verifyExport(out)).toMatchObject({ ok: true });
  });

  it('never overwrites, and refuses an empty range', async () => {
    await exportBetween(T0, T0 + 10 * minute);
    await expect(exportBetween(T0, T0 + 10 * minute)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await expect(exportBetween(T0 + minute, T0 + minute, join(t.dir, 'other'))).rejects.toBeInstanceOf(AuditToolError);
  });

  describe('detects', () => {
    beforeEach(async () => {
      await exportBetween(T0, T0 + 10 * minute);
      expect(await verifyExport(out)).toMatchObject({ ok: true });
    });

    it('an edited decoded text', async () => {
      const dir = await copy('edited-text');
      await rewrite(dir, (text) => text.map((line) => line.replace('"text":"second"', '"text":"something else"')));
      expect(await verifyExport(dir)).toMatchObject({ ok: false, problem: { line: 4, message: expect.stringContaining('event.data.text') } });
    });

    it('an edited stored body', async () => {
      const dir = await copy('edited-body');
      const target = (await lines(dir))[3];
      if (target === undefined) throw new Error('no line 4');
      const body = Buffer.from(target.body, 'base64');
      body[body.indexOf('second') + 1] = 'E'.charCodeAt(0);
      await rewrite(dir, (text) => text.map((line, i) => (i === 3 ? line.replace(target.body, body.toString('base64')) : line)));
      expect(await verifyExport(dir)).toMatchObject({ ok: false, problem: { line: 4, message: expect.stringContaining("body's hash") } });
    });

    it('a body and hash edited together, by the next link', async () => {
      const dir = await copy('edited-body-and-hash');
      const target = (await lines(dir))[3];
      if (target === undefined) throw new Error('no line 4');
      const body = Buffer.from(target.body, 'base64');
      body[body.indexOf('second') + 1] = 'E'.charCodeAt(0);
      await rewrite(dir, (text) =>
        text.map((line, i) =>
          i === 3
            ? line.replace(target.body, body.toString('base64')).replace(target.hash, eventHash(body)).replace('"text":"second"', '"text":"sEcond"')
            : line,
        ),
      );
      expect(await verifyExport(dir)).toMatchObject({ ok: false, problem: { line: 5, message: expect.stringContaining('previousHash') } });
    });

    it('a dropped line, in the middle and at the end', async () => {
      const middle = await copy('dropped-middle');
      await rewrite(middle, (text) => text.filter((_, i) => i !== 2));
      expect(await verifyExport(middle)).toMatchObject({ ok: false, problem: { line: 3, message: expect.stringContaining('missing') } });

      const last = await copy('dropped-last');
      await rewrite(last, (text) => text.slice(0, -1));
      expect(await verifyExport(last)).toMatchObject({ ok: false, problem: { message: expect.stringContaining('counts') } });
    });

    it('two lines swapped', async () => {
      const dir = await copy('swapped');
      await rewrite(dir, (text) => [text[0] ?? '', text[2] ?? '', text[1] ?? '', ...text.slice(3)]);
      expect(await verifyExport(dir)).toMatchObject({ ok: false, problem: { line: 2 } });
    });

    it.each([
      ['the total', (m: Record<string, unknown>) => ({ ...m, counts: { total: 5, byType: { RoomCreated: 1, MemberJoined: 1, MessageSent: 3 } } })],
      ['the final hash', (m: Record<string, unknown>) => ({ ...m, finalHash: 'f'.repeat(64) })],
      ['the anchor', (m: Record<string, unknown>) => ({ ...m, anchorHash: 'a'.repeat(64) })],
      ['the first version', (m: Record<string, unknown>) => ({ ...m, firstVersion: 2 })],
      ['the room', (m: Record<string, unknown>) => ({ ...m, streamId: 'room-r-2' })],
      ['the range', (m: Record<string, unknown>) => ({ ...m, range: { from: new Date(T0 + 2 * minute).toISOString(), to: new Date(T0 + 10 * minute).toISOString() } })],
    ])('an edited manifest: %s', async (_what, edit) => {
      const dir = await copy('manifest');
      const manifest: unknown = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
      if (typeof manifest !== 'object' || manifest === null) throw new Error('no manifest');
      await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(edit({ ...manifest })));
      expect(await verifyExport(dir)).toMatchObject({ ok: false });
    });
  });
});
