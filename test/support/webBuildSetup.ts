import { buildWeb } from '../../web/build.js';

// vitest globalSetup: the service serves the browser client from dist/web (web/build.ts), so it is built once before
// any test file runs, whichever tests were asked for; esbuild takes well under a second.
export default async function setup(): Promise<void> {
  await buildWeb();
}
