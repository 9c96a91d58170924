// Which processes keep the search view (issue #17) current. It follows the history view's placement: with SQLite
// views every api process projects its own DATA_DIR/search.db (only api serves search, so a gateway-only process
// does not); with Oracle the index is shared, and the projector:history processes fill it beside the history view.

import type { AppConfig } from './config.js';

export function searchProjectorRuns(config: Pick<AppConfig, 'roles' | 'historyStore'>): boolean {
  const store = config.historyStore;
  switch (store) {
    case 'sqlite':
      return config.roles.includes('api');
    case 'oracle':
      return config.roles.includes('projector:history');
    default: {
      const unknown: never = store;
      throw new Error(`HISTORY_STORE: no search plan for ${JSON.stringify(unknown)}`);
    }
  }
}
