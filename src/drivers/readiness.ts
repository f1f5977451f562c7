import type { DriverContext } from './driver.js';

/**
 * The DistroCV pre-deployment checklist items a driver answers for itself from live state:
 * `previous` (the version a rollback would go back to is still there: task definition ACTIVE,
 * ReplicaSet kept...), `backup` (a snapshot or point-in-time window covers the last hours).
 */
export type ReadinessCheck = 'previous' | 'backup';

export interface ReadinessItem {
  check: ReadinessCheck;
  ok: boolean;
  /** What was found, in the platform's words: `distrocv-api:2 (last deployment before :3) is ACTIVE`. */
  detail: string;
  /** When not ok: what to do about it. */
  fix?: string;
}

export interface ReadinessContext extends DriverContext {
  /** The catalog names of the target (a flag's name is its service), for messages and the words a rollback would use. */
  service: string;
  environment: string;
  now: Date;
  /** How far back a backup must reach (the catalog's `readiness.backupWindow`). */
  backupWindowMs: number;
}

/** A driver module's optional `readiness` capability (`/rollback ready`); drivers without it are "not checked". */
export type Readiness<T> = (target: T, ctx: ReadinessContext) => Promise<ReadinessItem[]>;
