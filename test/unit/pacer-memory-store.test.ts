import { MemoryPacerStore } from '../../lib/pacer/index.ts';
import { describePacerStore } from '../support/pacer-store-suite.ts';

// One store for every "container": the in-memory store stands for one process that all callers share.
describePacerStore('MemoryPacerStore', async () => {
  const store = new MemoryPacerStore();
  return { container: () => store, close: async () => {} };
});
