import { MemoryAnalyticsStore } from '../../../src/projections/analytics/memoryAnalyticsStore.js';
import { analyticsStoreContract } from './analyticsStoreContract.js';

analyticsStoreContract('memory', async () => {
  const store = new MemoryAnalyticsStore();
  return { store, cleanup: () => store.close() };
});
