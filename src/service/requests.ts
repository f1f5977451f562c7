import { approvalRuleOf, targetOf } from '../config/catalog.js';
import { isTerminal, targetKey, type Rollback } from '../domain/rollback.js';
import { approvalStatus, checkVoter } from '../policy/approval.js';
import { pendingLockTtl, type Services } from './context.js';

export interface RollbackRequest {
  service: string;
  environment: string;
  version?: string;
  options?: Record<string, string>;
  reason: string;
  user: string;
  origin: { channel: string; responseUrl?: string };
}

export type RequestOutcome = { kind: 'created'; rollback: Rollback } | { kind: 'busy'; holder: Rollback | undefined; holderId: string };

/** Creates the record and takes the target's lock; refuses if another rollback holds the target. */
export async function requestRollback(s: Services, req: RollbackRequest): Promise<RequestOutcome> {
  const target = targetKey(req.service, req.environment);
  const id = await s.store.nextId();
  const lock = await s.locks.acquire(target, id, pendingLockTtl(s.catalog));
  if (!lock.ok) {
    const holder = await s.store.get(lock.holder);
    if (holder && !isTerminal(holder.state)) return { kind: 'busy', holder, holderId: lock.holder };
    // A finished rollback's lock was not released (crash after finishing): take it over.
    await s.locks.release(target, lock.holder);
    const retry = await s.locks.acquire(target, id, pendingLockTtl(s.catalog));
    if (!retry.ok) return { kind: 'busy', holder: await s.store.get(retry.holder), holderId: retry.holder };
  }
  const at = s.now().toISOString();
  const rollback: Rollback = {
    id,
    target,
    service: req.service,
    environment: req.environment,
    state: 'requested',
    requestedBy: req.user,
    reason: req.reason,
    ...(req.version ? { requestedVersion: req.version } : {}),
    ...(req.options ? { options: req.options } : {}),
    origin: req.origin,
    approvals: [],
    createdAt: at,
    updatedAt: at,
  };
  await s.store.create(rollback, `Requested by <@${req.user}>${req.version ? ` (to ${req.version})` : ''}: ${req.reason || 'no reason given'}`);
  return { kind: 'created', rollback };
}

export type VoteOutcome =
  | { kind: 'missing' }
  | { kind: 'not_pending'; rollback: Rollback }
  | { kind: 'refused'; message: string }
  | { kind: 'recorded'; rollback: Rollback; missing: number }
  | { kind: 'approved'; rollback: Rollback };

/**
 * Records one approval and, when the rule is met, moves the rollback to `approved` in the same
 * atomic write: of several simultaneous final clicks exactly one sees `approved`.
 */
export async function approve(s: Services, id: string, user: string): Promise<VoteOutcome> {
  const rb = await s.store.get(id);
  if (!rb) return { kind: 'missing' };
  const target = targetOf(s.catalog, rb.service, rb.environment);
  if (!target) return { kind: 'refused', message: `${rb.service} ${rb.environment} is no longer in the catalog; nothing can be approved.` };
  const rule = approvalRuleOf(s.catalog, target);
  const members = await s.roles.members(rule.from);
  let outcome: VoteOutcome = { kind: 'not_pending', rollback: rb };
  await s.store.update(id, (current) => {
    if (current.state !== 'awaiting_approval') {
      outcome = { kind: 'not_pending', rollback: current };
      return undefined;
    }
    const check = checkVoter(user, rule, current.requestedBy, members, current.approvals);
    if (!check.ok) {
      outcome = { kind: 'refused', message: check.message };
      return undefined;
    }
    const at = s.now().toISOString();
    const approvals = [...current.approvals, { user, at }];
    const status = approvalStatus(rule, current.requestedBy, members, approvals);
    const next: Rollback = status.met ? { ...current, approvals, state: 'approved', approvedAt: at } : { ...current, approvals };
    outcome = status.met ? { kind: 'approved', rollback: next } : { kind: 'recorded', rollback: next, missing: status.missing };
    return {
      rollback: next,
      event: { type: 'approval', user, message: status.met ? `Approved by <@${user}>: approval rule met` : `Approved by <@${user}> (${status.missing} more needed)` },
    };
  });
  return outcome;
}

export type CloseOutcome = { kind: 'missing' } | { kind: 'refused'; message: string } | { kind: 'closed'; rollback: Rollback } | { kind: 'too_late'; rollback: Rollback };

/** Cancel (requester or an approver) or reject (an eligible approver) a rollback that has not started. */
export async function close(s: Services, id: string, user: string, how: 'cancelled' | 'rejected', note?: string): Promise<CloseOutcome> {
  const rb = await s.store.get(id);
  if (!rb) return { kind: 'missing' };
  const target = targetOf(s.catalog, rb.service, rb.environment);
  const rule = target ? approvalRuleOf(s.catalog, target) : { from: [], count: 1 };
  const members = await s.roles.members(rule.from);
  const approver = rule.from.some((r) => members[r]?.has(user));
  if (how === 'rejected' && (!approver || user === rb.requestedBy)) {
    return { kind: 'refused', message: user === rb.requestedBy ? 'You requested this rollback: use Cancel to withdraw it.' : `Only ${rule.from.join(' or ')} may reject this rollback.` };
  }
  if (how === 'cancelled' && user !== rb.requestedBy && !approver) {
    return { kind: 'refused', message: `Only the requester <@${rb.requestedBy}> or ${rule.from.join(' or ')} may cancel this rollback.` };
  }
  const verb = how === 'cancelled' ? 'Cancelled' : 'Rejected';
  const res = await s.store.transition(id, how, {
    from: how === 'rejected' ? ['awaiting_approval'] : ['requested', 'planned', 'awaiting_approval'],
    patch: { finishedAt: s.now().toISOString() },
    message: `${verb} by <@${user}>${note ? `: ${note}` : ''}`,
    user,
  });
  if (!res.changed) return { kind: 'too_late', rollback: res.rollback };
  await s.locks.release(rb.target, id);
  return { kind: 'closed', rollback: res.rollback };
}

/** The delayed expiry job: an approval request nobody answered in time frees its target. */
export async function expire(s: Services, id: string): Promise<Rollback | undefined> {
  const res = await s.store.transition(id, 'expired', {
    from: ['requested', 'planned', 'awaiting_approval'],
    patch: { finishedAt: s.now().toISOString() },
    message: 'Approval request expired',
  });
  if (!res.changed) return undefined;
  await s.locks.release(res.rollback.target, id);
  return res.rollback;
}
