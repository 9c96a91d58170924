import path from 'node:path';
import type { AppConfig } from '../config/config.js';

/** The `default` of a switch over a store selector: unreachable once configuration is validated. */
export function unknownSelector(setting: string, value: never): never {
  throw new Error(`${setting}: no adapter for ${JSON.stringify(value)}`);
}

/** A file of the embedded mode, in DATA_DIR. */
export function dataFile(config: Pick<AppConfig, 'dataDir'>, name: string): string {
  return path.join(config.dataDir, name);
}
