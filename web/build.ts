import { mkdirSync, readdirSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { faviconIco } from './favicon.js';

// Builds the browser client (web/src) into dist/web, which the service serves at `/` (src/roles/httpEdge.ts).
// Run by `npm run build` (and so by `npm install`, through `prepare`); nothing it writes is kept in git. Preact and
// uPlot are bundled in: the page loads nothing from another origin at run time.

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_OUT_DIR = path.join(here, '..', 'dist', 'web');

export async function buildWeb(outDir: string = WEB_OUT_DIR): Promise<void> {
  mkdirSync(path.join(outDir, 'assets'), { recursive: true });
  await build({
    entryPoints: { chat: path.join(here, 'src/chat/main.tsx'), admin: path.join(here, 'src/admin/main.tsx') },
    outdir: path.join(outDir, 'assets'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // Inlined fonts or images would need `data:` in the CSP; there are none, and none may creep in.
    loader: { '.css': 'css' },
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of readdirSync(path.join(here, 'static'))) copyFileSync(path.join(here, 'static', file), path.join(outDir, file));
  writeFileSync(path.join(outDir, 'favicon.ico'), faviconIco());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildWeb();
}
