import type { LoadedDriver } from '../src/drivers/define.js';
import type { Services } from '../src/service/context.js';
import type { Verifier } from '../src/verify/verifier.js';
import type { RollbackJobs } from './queue.js';

/** What processors need beyond the shared services: the drivers the catalog uses (by kind), the verifier and the queue. */
export interface WorkerServices extends Services {
  drivers: Partial<Record<string, LoadedDriver>>;
  verify: Verifier;
  jobs: RollbackJobs;
  /** How often a step may post progress into the thread. */
  progressIntervalMs: number;
  /** Lease of an execution's target lock (renewed at a third of it): how soon a crashed run's target frees. */
  executionLockMs: number;
}
