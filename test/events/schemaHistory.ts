// Finds every committed version of the event schemas in git and checks the working copy can read data written with
// each. Used by schemaCompatibility.unit.test.ts against this repository and against throw-away repositories.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Type } from 'avsc';

import { parseAvroSchema } from '../../src/events/avro/parseAvroSchema.js';
import { checkBackwardCompatible } from '../../src/events/registry/compatibility.js';

/** Random data written with each earlier version; enough to hit every enum symbol and union branch of our schemas. */
const SAMPLES_PER_VERSION = 50;

/** Runs git with no inherited GIT_* variables, so a hook's GIT_DIR can never point these commands elsewhere. */
export function git(cwd: string, args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  try {
    return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null ? String(Reflect.get(error, 'stderr') ?? '') : '';
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `git ${args.join(' ')} failed in ${cwd}. The schema compatibility check needs git and the repository's full ` +
        `history (CI: a full clone, e.g. actions/checkout with fetch-depth: 0).\n${stderr || message}`,
    );
  }
}

/** The repository root; throws a clear error when git is missing, this is not a repository, or it is shallow. */
export function repositoryRoot(from: string): string {
  const root = git(from, ['rev-parse', '--show-toplevel']).trim();
  if (git(root, ['rev-parse', '--is-shallow-repository']).trim() === 'true') {
    throw new Error(
      `${root} is a shallow clone: earlier schema versions may be missing, so compatibility cannot be checked. ` +
        'Fetch the full history (git fetch --unshallow, or fetch-depth: 0 in CI).',
    );
  }
  return root;
}

export interface CommittedVersion {
  commit: string;
  text: string;
}

/** Every distinct committed text of `relativePath`, newest first (commits that deleted it are skipped). */
export function committedVersions(root: string, relativePath: string): CommittedVersion[] {
  const commits = git(root, ['log', '--format=%H', '--diff-filter=ACMRT', '--', relativePath])
    .split('\n')
    .filter((line) => line.length > 0);
  const seen = new Set<string>();
  const versions: CommittedVersion[] = [];
  for (const commit of commits) {
    const text = git(root, ['show', `${commit}:${relativePath}`]);
    if (!seen.has(text)) {
      seen.add(text);
      versions.push({ commit, text });
    }
  }
  return versions;
}

/**
 * Why a reader with `readerText` cannot read data written with `writerText`, or undefined when it can. Beyond the
 * checker's verdict, random data written with the writer is actually decoded, so "compatible" is demonstrated.
 */
export function whyUnreadable(readerText: string, writerText: string): string | undefined {
  const verdict = checkBackwardCompatible(readerText, writerText);
  if (!verdict.compatible) {
    return verdict.reason;
  }
  const reader = parseAvroSchema(readerText);
  const writer = parseAvroSchema(writerText);
  const resolver = reader.createResolver(writer);
  for (let i = 0; i < SAMPLES_PER_VERSION; i += 1) {
    const problem = decodeSample(reader, writer, resolver);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function decodeSample(reader: Type, writer: Type, resolver: ReturnType<Type['createResolver']>): string | undefined {
  const sample: unknown = writer.random();
  try {
    const decoded: unknown = reader.fromBuffer(writer.toBuffer(sample), resolver);
    return reader.isValid(decoded) ? undefined : `decoded ${JSON.stringify(decoded)} is not valid for the reader`;
  } catch (error) {
    return `decoding ${JSON.stringify(sample)} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export interface HistoryReport {
  /** One line per (file, earlier version) pair that was checked. */
  checked: string[];
  problems: string[];
}

/** Checks every schema file in `schemasDir` (relative to `root`) against each of its committed versions. */
export function checkSchemaHistory(root: string, schemasDir: string): HistoryReport {
  const report: HistoryReport = { checked: [], problems: [] };
  const dir = path.join(root, schemasDir);
  const files = (existsSync(dir) ? readdirSync(dir) : [])
    .filter((name) => name.endsWith('.avsc'))
    .sort();
  for (const name of files) {
    const relativePath = path.posix.join(schemasDir, name);
    const current = readFileSync(path.join(root, relativePath), 'utf8');
    const history = committedVersions(root, relativePath);
    // A file with no history yet must at least read its own data.
    const earlier = history.length > 0 ? history : [{ commit: 'working copy (not committed yet)', text: current }];
    for (const version of earlier) {
      const label = `${relativePath} @ ${version.commit}`;
      report.checked.push(label);
      const problem = whyUnreadable(current, version.text);
      if (problem !== undefined) {
        report.problems.push(`${label}: the working copy cannot read data written with this version: ${problem}`);
      }
    }
  }
  // A deleted schema would leave its events in existing logs unreadable.
  const deleted = git(root, ['log', '--format=', '--name-only', '--diff-filter=D', '--', schemasDir])
    .split('\n')
    .filter((line) => line.endsWith('.avsc') && !existsSync(path.join(root, line)));
  for (const file of new Set(deleted)) {
    report.problems.push(`${file} was deleted: events of that type already in logs could no longer be decoded`);
  }
  return report;
}
