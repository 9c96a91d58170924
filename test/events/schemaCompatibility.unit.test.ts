// Schema changes must stay backward compatible with every earlier committed version (DESIGN.md): the working copy
// of each schema in schemas/events is the reader, and each version of it in git history is a writer it must read.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CHAT_EVENT_TYPES } from '../../src/events/chatEvents.js';
import { findPackageRoot } from '../../src/events/avro/eventSchemaFiles.js';
import { checkBackwardCompatible } from '../../src/events/registry/compatibility.js';
import { checkSchemaHistory, git, repositoryRoot, whyUnreadable } from './schemaHistory.js';

const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
const fixturesDir = path.join(packageRoot, 'test', 'fixtures', 'schemas');

function fixturePairs(kind: 'compatible' | 'incompatible'): [string, { old: string; new: string }][] {
  const dir = path.join(fixturesDir, kind);
  return readdirSync(dir)
    .sort()
    .map((name) => [
      name,
      {
        old: readFileSync(path.join(dir, name, 'old.avsc'), 'utf8'),
        new: readFileSync(path.join(dir, name, 'new.avsc'), 'utf8'),
      },
    ]);
}

describe('event schemas stay backward compatible with their git history', () => {
  it('can read data written with every committed version of every schema', () => {
    const root = repositoryRoot(packageRoot);
    const schemasDir = path.relative(root, path.join(packageRoot, 'schemas', 'events')).split(path.sep).join('/');
    const report = checkSchemaHistory(root, schemasDir);

    expect(report.problems, report.problems.join('\n')).toEqual([]);
    // Every event type was checked against at least one version (its history, or itself before the first commit).
    for (const type of CHAT_EVENT_TYPES) {
      expect(report.checked.some((line) => line.startsWith(`${schemasDir}/${type}.avsc @ `)), type).toBe(true);
    }
  });
});

describe('the compatibility check can fail', () => {
  it.each(fixturePairs('incompatible'))('rejects %s', (_name, pair) => {
    expect(checkBackwardCompatible(pair.new, pair.old).compatible).toBe(false);
    expect(whyUnreadable(pair.new, pair.old)).toEqual(expect.any(String));
  });

  it.each(fixturePairs('compatible'))('accepts %s', (_name, pair) => {
    expect(whyUnreadable(pair.new, pair.old)).toBeUndefined();
  });

  describe('through git history, in a throw-away repository', () => {
    let root: string;
    const schemaPath = 'schemas/events/MessageSent.avsc';

    const commit = (text: string, message: string): void => {
      writeFileSync(path.join(root, schemaPath), text);
      git(root, ['add', schemaPath]);
      git(root, ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', message]);
    };

    beforeEach(() => {
      root = mkdtempSync(path.join(tmpdir(), 'schema-history-'));
      git(root, ['init', '-q']);
      mkdirSync(path.join(root, 'schemas', 'events'), { recursive: true });
    });

    afterEach(() => {
      rmSync(root, { recursive: true, force: true });
    });

    it('fails when the working copy cannot read a committed version', () => {
      const [, pair] = fixturePairs('incompatible').find(([name]) => name === 'field-added-without-default') ?? [];
      if (pair === undefined) throw new Error('fixture field-added-without-default is missing');
      commit(pair.old, 'old schema');
      writeFileSync(path.join(root, schemaPath), pair.new);

      const report = checkSchemaHistory(root, 'schemas/events');
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]).toContain(schemaPath);
      expect(report.problems[0]).toContain('senderId');
    });

    it('fails when any earlier version, not only the latest, is unreadable', () => {
      const [, pair] = fixturePairs('incompatible').find(([name]) => name === 'type-changed-string-to-int') ?? [];
      if (pair === undefined) throw new Error('fixture type-changed-string-to-int is missing');
      commit(pair.old, 'v1');
      commit(pair.new, 'v2: an incompatible change that got committed');
      writeFileSync(path.join(root, schemaPath), pair.new);

      const report = checkSchemaHistory(root, 'schemas/events');
      expect(report.checked).toHaveLength(2);
      expect(report.problems).toHaveLength(1);
    });

    it('fails when a committed schema file was deleted', () => {
      const [, pair] = fixturePairs('compatible')[0] ?? [];
      if (pair === undefined) throw new Error('no compatible fixture');
      commit(pair.old, 'v1');
      git(root, ['rm', '-q', schemaPath]);
      git(root, ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', 'drop it']);

      expect(checkSchemaHistory(root, 'schemas/events').problems).toEqual([
        `${schemaPath} was deleted: events of that type already in logs could no longer be decoded`,
      ]);
    });

    it('passes a compatible change, and a file with no history yet is checked against itself', () => {
      const [, pair] = fixturePairs('compatible').find(([name]) => name === 'field-added-with-default') ?? [];
      if (pair === undefined) throw new Error('fixture field-added-with-default is missing');
      commit(pair.old, 'v1');
      writeFileSync(path.join(root, schemaPath), pair.new);
      const uncommitted = pair.new.replaceAll('MessageSent', 'MessageEdited');
      writeFileSync(path.join(root, 'schemas/events/MessageEdited.avsc'), uncommitted);

      const report = checkSchemaHistory(root, 'schemas/events');
      expect(report.problems).toEqual([]);
      expect(report.checked).toEqual([
        'schemas/events/MessageEdited.avsc @ working copy (not committed yet)',
        expect.stringMatching(/^schemas\/events\/MessageSent\.avsc @ [0-9a-f]{40}$/),
      ]);
    });
  });
});
