import type { Rollback, RollbackState } from './rollback.js';

/**
 * The rollback lifecycle as named events (DESIGN.md "Lifecycle"): each event moves a record from
 * one of its `from` states to `to`. This table is the only definition of what may follow what.
 */
export const EVENTS = {
  plan: { from: ['requested'], to: 'planned' },
  propose: { from: ['planned'], to: 'awaiting_approval' },
  approve: { from: ['awaiting_approval'], to: 'approved' },
  reject: { from: ['awaiting_approval'], to: 'rejected' },
  // Until the first step starts: the executor's `start` loses to a cancel, or wins.
  cancel: { from: ['requested', 'planned', 'awaiting_approval', 'approved'], to: 'cancelled' },
  expire: { from: ['requested', 'planned', 'awaiting_approval'], to: 'expired' },
  /** The request could not be planned (refused by the driver, not in the catalog). */
  refuse: { from: ['requested', 'planned'], to: 'failed' },
  start: { from: ['approved'], to: 'running' },
  verify: { from: ['running'], to: 'verifying' },
  succeed: { from: ['verifying'], to: 'succeeded' },
  fail: { from: ['approved', 'running', 'verifying'], to: 'failed' },
} as const satisfies Record<string, { from: readonly RollbackState[]; to: RollbackState }>;

export type LifecycleEvent = keyof typeof EVENTS;

/** Whether `event` may happen to a record in `state`. */
export function accepts(event: LifecycleEvent, state: RollbackState): boolean {
  return (EVENTS[event].from as readonly RollbackState[]).includes(state);
}

/** The record after `event`, or undefined when its current state does not accept it. Pure. */
export function fire(rb: Rollback, event: LifecycleEvent): Rollback | undefined {
  return accepts(event, rb.state) ? { ...rb, state: EVENTS[event].to } : undefined;
}

/** States from which `event` may happen: what "still active for this event" means elsewhere. */
export function sourcesOf(event: LifecycleEvent): readonly RollbackState[] {
  return EVENTS[event].from;
}
