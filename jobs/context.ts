import type { Driver } from '../src/drivers/driver.js';
import type { Services } from '../src/service/context.js';
import type { RollbackJobs } from './queue.js';

/** What processors need beyond the shared services: the drivers (by kind) and the queue. */
export interface WorkerServices extends Services {
  // Drivers are heterogeneous; each is called with its own validated target config.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  drivers: Record<string, Driver<any>>;
  jobs: RollbackJobs;
  /** How often a step may post progress into the thread. */
  progressIntervalMs: number;
  /** Lease of an execution's target lock (renewed at a third of it): how soon a crashed run's target frees. */
  executionLockMs: number;
}
