import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Catalog } from '../config/catalog.js';
import type { LoadedDriver } from '../drivers/define.js';
import type { Metrics } from '../metrics.js';
import type { MemberDirectory } from '../policy/resolve.js';
import type { Poster } from '../slack/poster.js';
import type { StepJournal } from '../store/journal.js';
import type { TargetLocks } from '../store/locks.js';
import type { Outbox } from '../store/outbox.js';
import type { RollbackStore } from '../store/rollbacks.js';
import type { Verifier } from '../verify/verifier.js';

/** What the web and worker roles share: built once in main.ts and passed down. */
export interface Services {
  catalog: Catalog;
  redis: Redis;
  prefix: string;
  store: RollbackStore;
  locks: TargetLocks;
  journal: StepJournal;
  outbox: Outbox;
  roles: MemberDirectory;
  poster: Poster;
  log: Logger;
  now: () => Date;
  /** This Rewind's Prometheus registry and the instruments the use cases feed. */
  metrics: Metrics;
}

/**
 * The jobs the use cases hand work to (BullMQ in production, `jobs/queue.ts`). Ids derive from the
 * rollback id, so asking twice is one job.
 */
export interface Scheduler {
  plan(id: string): Promise<unknown>;
  execute(id: string): Promise<unknown>;
  expireAfter(id: string, delayMs: number): Promise<unknown>;
  remindAfter(id: string, delayMs: number): Promise<unknown>;
  /** Adds the rollback's `name` job when it has none waiting or running; true if it (re)added one. */
  ensure(name: 'plan' | 'execute', id: string): Promise<boolean>;
  hasExpiry(id: string): Promise<boolean>;
}

/** What the worker's use cases need beyond the shared services: the catalog's drivers (by kind), the verifier and the scheduler. */
export interface WorkerServices extends Services {
  drivers: Partial<Record<string, LoadedDriver>>;
  verify: Verifier;
  jobs: Scheduler;
  /** How often a step may post progress into the thread. */
  progressIntervalMs: number;
  /** Lease of an execution's target lock (renewed at a third of it): how soon a crashed run's target frees. */
  executionLockMs: number;
}

/** How long the target lock lasts while a rollback waits for approval (the expiry job frees it sooner). */
export function pendingLockTtl(catalog: Catalog): number {
  return catalog.approvalTimeout + 5 * 60_000;
}
