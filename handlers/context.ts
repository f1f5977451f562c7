import type { RollbackJobs } from '../jobs/queue.js';
import type { Services } from '../src/rollbacks/context.js';

/** What listeners need: shared services and the enqueue API. */
export interface WebServices extends Services {
  jobs: RollbackJobs;
}
