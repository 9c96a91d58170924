// A SQLite view's file in DATA_DIR, followed through its pointer: the history and the search views each live in a
// file that `chat projections rebuild` can replace by a rebuilt one, moving a pointer file that serving processes
// poll (storePointer.ts) and switch to without stopping (storeSwitch.ts).

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { EventLog } from '../eventlog/eventLog.js';
import { filePointer, watchPointer, type PointerWatch } from './storePointer.js';
import { StoreSwitch, type SwitchableStore } from './storeSwitch.js';

/** The files of one view: the store before any rebuild, the pointer a rebuild moves, and what a server serves. */
export interface ViewFiles {
  /** Names the view in logs and errors ("history"); rebuilt files are `<view>-<id>.db`. */
  view: string;
  defaultFile: string;
  pointerFile: string;
  /** Written by a serving process once it serves a file: lets `rebuild --drop-old` know the old file is unused. */
  servingFile: string;
}

/** A view's files in a data directory: `<view>.db` before any rebuild, `<view>.current`, `<view>.serving`. */
export function viewFilesOf(view: string): ViewFiles {
  return { view, defaultFile: `${view}.db`, pointerFile: `${view}.current`, servingFile: `${view}.serving` };
}

/** The file a data directory serves now for this view (relative to it): the pointer's, or the default one. */
export async function liveViewFile(dataDir: string, files: ViewFiles): Promise<string> {
  return (await filePointer(path.join(dataDir, files.pointerFile)).read()) ?? files.defaultFile;
}

/** A pointer may only name a file of this view directly in DATA_DIR (never a path elsewhere). */
export function isViewFileName(files: ViewFiles, name: string): boolean {
  return name === files.defaultFile || new RegExp(`^${files.view}-[0-9A-Za-z]{1,40}\\.db$`).test(name);
}

export interface FollowViewFileOptions<S extends SwitchableStore> {
  dataDir: string;
  files: ViewFiles;
  open: (filename: string) => S;
  log: Pick<EventLog, 'readAll'>;
  logger?: Logger;
  /** How often the pointer file is looked at. Default 1000 ms. */
  pollIntervalMs?: number;
}

/**
 * Opens the live file and follows the pointer from then on (a rebuild in another process moves it). The caller
 * wraps the switch in its view's store, and stops the watch when that store closes.
 */
export async function followViewFile<S extends SwitchableStore>(
  options: FollowViewFileOptions<S>,
): Promise<{ stores: StoreSwitch<S>; watch: PointerWatch }> {
  const { dataDir, files } = options;
  const pointer = filePointer(path.join(dataDir, files.pointerFile));
  const serving = filePointer(path.join(dataDir, files.servingFile));
  const initial = await pointer.read();
  const name = initial ?? files.defaultFile;
  const open = (file: string) => options.open(path.join(dataDir, file));
  const stores = new StoreSwitch<S>({ name: files.view, initial: open(name), label: name, log: options.log, logger: options.logger });
  await serving.write(name);
  const watch = watchPointer({
    pointer,
    initial,
    intervalMs: options.pollIntervalMs ?? 1000,
    logger: options.logger,
    onChange: async (file) => {
      if (!isViewFileName(files, file)) throw new Error(`${files.pointerFile} names "${file}", not a ${files.view} file of this directory`);
      // Never a store that is not there: opening it would create an empty one and replay the whole log while the
      // projector waits. The pointer is looked at again at the next poll.
      if (!existsSync(path.join(dataDir, file))) throw new Error(`${files.pointerFile} names ${file}, which does not exist`);
      await stores.switchTo(open(file), file);
      await serving.write(file);
    },
  });
  return { stores, watch };
}
