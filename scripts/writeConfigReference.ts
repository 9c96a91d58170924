import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_REFERENCE_PATH, renderConfigReference } from '../src/config/configReference.js';

// `npm run docs:config`: writes docs/configuration.md from the config schema (src/config/settings/, one file per
// section of the reference), the one place settings are described. test/config/configReference.unit.test.ts fails until the file is rewritten after a change.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, CONFIG_REFERENCE_PATH);
writeFileSync(target, renderConfigReference());
console.log(`wrote ${CONFIG_REFERENCE_PATH}`);
