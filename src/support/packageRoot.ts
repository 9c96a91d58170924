import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest directory at or above `start` that holds a package.json. The code runs from src/ (tsx, vitest) and
 * from dist/ (after tsc), at different depths, so files shipped with the package (schemas, the browser client)
 * are found from the package root, not relative to the module.
 */
export function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json found at or above ${start}`);
    }
    dir = parent;
  }
}

/** This package's root directory. */
export function packageRoot(): string {
  return findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
}
