/** A write that is only valid while `key` still holds `value` (an execution's target lock). */
export interface Fence {
  key: string;
  value: string;
}

/**
 * This run no longer holds its rollback's execution lock (Redis lost it, or another worker took
 * over after this one stalled): it must stop before its next side effect.
 */
export class FenceLost extends Error {
  override name = 'FenceLost';
  constructor(readonly rollbackId: string) {
    super(`${rollbackId}: this worker no longer holds the execution lock; another run owns the rollback now`);
  }
}
