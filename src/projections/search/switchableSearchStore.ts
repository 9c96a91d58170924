// The search store a serving process uses when the views are in SQLite: the file DATA_DIR/search.current names (or
// search.db before any rebuild), switched to a rebuilt file when `chat projections rebuild search` moves the
// pointer, exactly as the history view's file is (viewFile.ts, storeSwitch.ts).

import type { Logger } from 'pino';
import type { RecordedEvent } from '../../events/envelope.js';
import type { Checkpoint } from '../../eventlog/checkpoint.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { StoreSwitch } from '../storeSwitch.js';
import { followViewFile, isViewFileName, liveViewFile, viewFilesOf, type ViewFiles } from '../viewFile.js';
import { SqliteSearchStore } from './sqlite/sqliteSearchStore.js';
import type { SearchPage, SearchRequest, SearchStore } from './searchStore.js';

export const SEARCH_FILES: ViewFiles = viewFilesOf('search');
export const DEFAULT_SEARCH_FILE = SEARCH_FILES.defaultFile;
export const SEARCH_POINTER_FILE = SEARCH_FILES.pointerFile;
export const SEARCH_SERVING_FILE = SEARCH_FILES.servingFile;

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
export function liveSearchFile(dataDir: string): Promise<string> {
  return liveViewFile(dataDir, SEARCH_FILES);
}

/** A pointer may only name a search file directly in DATA_DIR (never a path elsewhere). */
export function isSearchFileName(name: string): boolean {
  return isViewFileName(SEARCH_FILES, name);
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
  const { stores, watch } = await followViewFile<SearchStore>({
    ...options,
    files: SEARCH_FILES,
    open: (filename) => new SqliteSearchStore({ filename }),
  });
  return new SwitchableSearchStore(stores, () => watch.stop());
}
