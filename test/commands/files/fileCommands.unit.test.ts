import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandExecutor } from '../../../src/commands/commandExecutor.js';
import type { FileCommand } from '../../../src/commands/commands.js';
import { FileCommands, SWEEP_GRACE_MS } from '../../../src/commands/files/fileCommands.js';
import type { AccessPrincipal } from '../../../src/auth/accessTokens.js';
import type { FileStore } from '../../../src/files/fileStore.js';
import { UploadStaging } from '../../../src/files/uploadStaging.js';
import type { FileAudience, FileView } from '../../../src/projections/history/historyStore.js';
import { RateLimiter } from '../../../src/ratelimit/rateLimiter.js';
import { recorded } from '../../support/deciderSpecification.js';

// The file use cases' own rules (issue #16), with the log, the view and the store stood in for: which facts a send
// gets, when an unsent upload can no longer be attached, and what the sweeper removes.

const NOW = Date.UTC(2026, 11, 1, 12);
const HOUR = 60 * 60 * 1000;
const dir = mkdtempSync(path.join(tmpdir(), 'file-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (fileId: string, overrides: Partial<FileView> = {}): FileView => ({
  fileId,
  uploadedBy: 'alice',
  name: `${fileId}.png`,
  contentType: 'image/png',
  size: 10,
  sha256: 'a'.repeat(64),
  width: 2,
  height: 1,
  thumbnail: true,
  uploadedAt: new Date(NOW - HOUR).toISOString(),
  erased: false,
  discarded: false,
  ...overrides,
});

function setUp(files: FileView[], audiences: Record<string, FileAudience> = {}) {
  const commands: FileCommand[] = [];
  const deleted: string[] = [];
  const executor: CommandExecutor<FileCommand> = {
    async execute(_streamId, command) {
      commands.push(command);
      const fileId = command.fileId;
      return { events: recorded([{ type: 'FileDiscarded', data: { fileId, discardedBy: 'system:files' } }]), replayed: false };
    },
  };
  const store: FileStore = {
    kind: 'fake',
    check: async () => undefined,
    put: async () => undefined,
    get: async () => undefined,
    head: async () => undefined,
    delete: async (key) => void deleted.push(key),
    deletePrefix: async () => 0,
    close: async () => undefined,
  };
  const use = new FileCommands({
    files: executor,
    history: {
      getFile: async (fileId) => files.find((one) => one.fileId === fileId),
      getFileAudience: async (fileId) => audiences[fileId] ?? { rooms: [], avatar: false },
      listUnsentFiles: async ({ uploadedBefore }) => files.filter((one) => Date.parse(one.uploadedAt) < uploadedBefore),
      listFilesWithContent: async (uploadedBy, sha256) => files.filter((one) => one.uploadedBy === uploadedBy && one.sha256 === sha256),
    },
    store,
    staging: new UploadStaging(dir),
    limits: { maxFileBytes: 1000, allowedTypes: ['image/png'], maxImagePixels: 1000, unsentTtlMs: 24 * HOUR },
    uploadCount: new RateLimiter('uploads', [{ points: 10, durationSeconds: 60 }]),
    uploadBytes: new RateLimiter('upload-bytes', [{ points: 10_000, durationSeconds: 60 }]),
    ids: { next: () => 'id' },
    clock: { now: () => NOW },
    waitForHistory: async () => undefined,
  });
  return { use, commands, deleted };
}

const bob: AccessPrincipal = { userId: 'bob', role: 'user', jti: 't', familyId: 'f', expiresAt: NOW / 1000 + 900, issuedAt: NOW };

describe('attachmentFacts', () => {
  it("hands the decider the file's facts and whether the sender reads it through a room", async () => {
    const { use } = setUp([file('f1'), file('f2')], { f1: { rooms: [{ roomId: 'r', kind: 'private', member: true }], avatar: false } });
    const facts = await use.attachmentFacts(bob, ['f1', 'f2']);
    expect(facts.map((fact) => [fact.fileId, fact.uploadedBy, fact.readableByActor])).toEqual([
      ['f1', 'alice', true],
      ['f2', 'alice', false],
    ]);
  });

  it('answers NO_FILE for an unknown, erased or discarded file, and for an unsent one past its time', async () => {
    const old = new Date(NOW - 25 * HOUR).toISOString();
    const { use } = setUp([file('erased', { erased: true }), file('gone', { discarded: true }), file('old', { uploadedAt: old })]);
    for (const fileId of ['nope', 'erased', 'gone', 'old']) {
      await expect(use.attachmentFacts(bob, [fileId]), fileId).rejects.toMatchObject({ code: 'NO_FILE' });
    }
  });
});

describe('sweepUnsent', () => {
  it('discards uploads past the time and the grace, then deletes their bytes unless another live file shares them', async () => {
    const old = new Date(NOW - 24 * HOUR - SWEEP_GRACE_MS - 1).toISOString();
    const shared = 'b'.repeat(64);
    const { use, commands, deleted } = setUp([
      file('lonely', { uploadedAt: old }),
      file('twin', { uploadedAt: old, sha256: shared }),
      file('kept', { sha256: shared }),
    ]);
    expect(await use.sweepUnsent()).toBe(2);
    expect(commands).toEqual([
      { type: 'DiscardFile', fileId: 'lonely' },
      { type: 'DiscardFile', fileId: 'twin' },
    ]);
    // alice/<sha> is still the live file "kept"'s bytes.
    expect(deleted).toEqual([`alice/${'a'.repeat(64)}`, `alice/${'a'.repeat(64)}.thumb`]);
  });
});
