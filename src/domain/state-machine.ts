import type { RollbackState } from './rollback.js';

/** Allowed transitions of the rollback lifecycle (DESIGN.md "Lifecycle"). */
const NEXT: Record<RollbackState, readonly RollbackState[]> = {
  requested: ['planned', 'failed', 'cancelled', 'expired'],
  planned: ['awaiting_approval', 'failed', 'cancelled', 'expired'],
  awaiting_approval: ['approved', 'rejected', 'cancelled', 'expired', 'failed'],
  approved: ['running', 'failed', 'cancelled'],
  running: ['verifying', 'failed'],
  verifying: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

export function canTransition(from: RollbackState, to: RollbackState): boolean {
  return NEXT[from].includes(to);
}

/** States from which `to` may be entered. */
export function sourcesOf(to: RollbackState): RollbackState[] {
  return (Object.keys(NEXT) as RollbackState[]).filter((from) => NEXT[from].includes(to));
}

export class IllegalTransition extends Error {
  override name = 'IllegalTransition';
  constructor(
    readonly from: RollbackState,
    readonly to: RollbackState,
  ) {
    super(`A rollback in state ${from} cannot move to ${to}`);
  }
}
