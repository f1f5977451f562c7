import type { Services } from '../src/service/context.js';
import type { RollbackJobs } from '../jobs/queue.js';

/** What listeners need: shared services and the enqueue API. */
export interface WebServices extends Services {
  jobs: RollbackJobs;
}
