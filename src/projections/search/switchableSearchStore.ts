// The search store a serving process uses when the views are in SQLite: the file DATA_DIR/search.current names (or
// search.db before any rebuild), switched to a rebuilt file when `chat projections rebuild search` moves the
// pointer, exactly as the history view's file is (switchableHistoryStore.ts, storeSwitch.ts).

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RecordedEvent } from '../../events/envelope.js';
import type { Checkpoint } from '../../eventlog/checkpoint.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import { filePointer, watchPointer, type PointerWatch } from '../storePointer.js';
import { StoreSwitch } from '../storeSwitch.js';
import { SqliteSearchStore } from './sqlite/sqliteSearchStore.js';
import type { SearchPage, SearchRequest, SearchStore } from './searchStore.js';

export const DEFAULT_SEARCH_FILE = 'search.db';
export const SEARCH_POINTER_FILE = 'search.current';
/** Written by a serving process once it serves a file: lets `rebuild --drop-old` know the old file is unused. */
export const SEARCH_SERVING_FILE = 'search.serving';

export class SwitchableSearchStore implements SearchStore {
  constructor(
    private readonly stores: StoreSwitch<SearchStore>,
    private readonly onClose: () => Promise<void>,
  ) {}

  get label(): string {
    return this.stores.label;
  }

  switchTo(next: SearchStore, label: string): Promise<void> {
    return this.stores.switchTo(next, label);
  }

  applyBatch(events: RecordedEvent[]): Promise<void> {
    return this.stores.applyBatch(events);
  }

  checkpoint(): Promise<Checkpoint> {
    return this.stores.checkpoint();
  }

  search(request: SearchRequest): Promise<SearchPage> {
    return this.stores.current.search(request);
  }

  async close(): Promise<void> {
    await this.onClose();
    await this.stores.close();
  }
}

/** The search file a data directory serves now (relative to it): the pointer's, or search.db. */
export async function liveSearchFile(dataDir: string): Promise<string> {
  return (await filePointer(path.join(dataDir, SEARCH_POINTER_FILE)).read()) ?? DEFAULT_SEARCH_FILE;
}

/** A pointer may only name a search file directly in DATA_DIR (never a path elsewhere). */
export function isSearchFileName(name: string): boolean {
  return name === DEFAULT_SEARCH_FILE || /^search-[0-9A-Za-z]{1,40}\.db$/.test(name);
}

export interface SqliteSearchOptions {
  dataDir: string;
  log: Pick<EventLog, 'readAll'>;
  logger?: Logger;
  /** How often the pointer file is looked at. Default 1000 ms. */
  pollIntervalMs?: number;
}

/** Opens the live search file and follows the pointer from then on (a rebuild in another process moves it). */
export async function openSqliteSearch(options: SqliteSearchOptions): Promise<SwitchableSearchStore> {
  const pointer = filePointer(path.join(options.dataDir, SEARCH_POINTER_FILE));
  const serving = filePointer(path.join(options.dataDir, SEARCH_SERVING_FILE));
  const initial = await pointer.read();
  const name = initial ?? DEFAULT_SEARCH_FILE;
  const open = (file: string) => new SqliteSearchStore({ filename: path.join(options.dataDir, file) });
  const stores = new StoreSwitch<SearchStore>({ name: 'search', initial: open(name), label: name, log: options.log, logger: options.logger });
  await serving.write(name);
  const store = new SwitchableSearchStore(stores, async () => watch.stop());
  const watch: PointerWatch = watchPointer({
    pointer,
    initial,
    intervalMs: options.pollIntervalMs ?? 1000,
    logger: options.logger,
    onChange: async (file) => {
      if (!isSearchFileName(file)) throw new Error(`${SEARCH_POINTER_FILE} names "${file}", not a search file of this directory`);
      if (!existsSync(path.join(options.dataDir, file))) throw new Error(`${SEARCH_POINTER_FILE} names ${file}, which does not exist`);
      await store.switchTo(open(file), file);
      await serving.write(file);
    },
  });
  return store;
}
