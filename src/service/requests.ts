import { randomBytes } from 'node:crypto';
import { isTerminal, targetKey, type Rollback, type RollbackPolicy } from '../domain/rollback.js';
import { canTransition } from '../domain/state-machine.js';
import { failpoint } from '../failpoint.js';
import { describeMissing, checkVote, evaluate, isApprover } from '../policy/quorum.js';
import type { Classification } from '../policy/matrix.js';
import { adviceText } from '../policy/matrix.js';
import { authorityOf, classify, expiresAt } from './authority.js';
import { line } from './cards.js';
import { pendingLockTtl, type Services } from './context.js';

export interface RollbackRequest {
  service: string;
  environment: string;
  version?: string;
  options?: Record<string, string>;
  reason: string;
  user: string;
  origin: { channel: string; responseUrl?: string };
  /** Severity / scenario / override reason (slash command `sev`, or the modal). */
  classification?: Classification;
  /** Pre-rollback checklist items confirmed in the modal. */
  checklist?: string[];
}

export type RequestOutcome =
  | { kind: 'created'; rollback: Rollback }
  | { kind: 'busy'; holder: Rollback | undefined; holderId: string }
  | { kind: 'refused'; reason: 'unknown_severity' | 'unknown_scenario' | 'missing_role' | 'needs_override'; message: string };

/**
 * Classifies the request against the decision matrix, creates the record and takes the target's
 * lock; refuses if the matrix forbids it as asked or another rollback holds the target.
 */
export async function requestRollback(s: Services, req: RollbackRequest): Promise<RequestOutcome> {
  const classified = classify(s.catalog, req.service, req.environment, req.classification ?? {});
  if (!classified.ok) return { kind: 'refused', reason: classified.reason, message: classified.message };
  const { severity, scenario, override } = classified.authority;
  const policy: RollbackPolicy = { ...(severity ? { severity } : {}), ...(scenario ? { scenario } : {}), ...(override ? { override } : {}), ...(req.checklist?.length ? { checklist: req.checklist } : {}) };

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
    nonce: randomBytes(6).toString('hex'),
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
    ...(Object.keys(policy).length ? { policy } : {}),
    createdAt: at,
    updatedAt: at,
  };
  const classifiedAs = severity ? ` [${severity.id} ${severity.label}${scenario ? `, ${scenario.title}` : ''}]` : '';
  await s.store.create(rollback, `Requested by <@${req.user}>${req.version ? ` (to ${req.version})` : ''}${classifiedAs}: ${req.reason || 'no reason given'}`);
  if (override) {
    const advice = severity ? `${severity.id} advises ${adviceText(severity.advice).toLowerCase()}` : 'no matrix advice';
    await s.store.note(id, { type: 'note', user: req.user, message: `Override by <@${req.user}> (${advice}): ${override}` });
  }
  if (policy.checklist) await s.store.note(id, { type: 'note', user: req.user, message: `Pre-rollback checklist confirmed by <@${req.user}>: ${policy.checklist.join('; ')}` });
  failpoint('request-stored');
  return { kind: 'created', rollback };
}

export type VoteOutcome =
  | { kind: 'missing' }
  | { kind: 'not_pending'; rollback: Rollback }
  | { kind: 'refused'; message: string }
  | { kind: 'recorded'; rollback: Rollback; missing: string }
  | { kind: 'approved'; rollback: Rollback };

/**
 * Records one approval and, when every rule is met, moves the rollback to `approved` in the same
 * atomic write: of several simultaneous final clicks exactly one sees `approved`.
 */
export async function approve(s: Services, id: string, user: string, nonce?: string): Promise<VoteOutcome> {
  const rb = await s.store.get(id);
  if (!rb || !boundTo(rb, nonce)) return { kind: 'missing' };
  const { authority, members, problem } = await authorityOf(s, rb);
  if (problem) return { kind: 'refused', message: problem };
  const clock = { at: s.now(), expiresAt: expiresAt(s, rb) };
  let outcome: VoteOutcome = { kind: 'not_pending', rollback: rb };
  await s.store.update(id, (current) => {
    if (current.state !== 'awaiting_approval') {
      outcome = { kind: 'not_pending', rollback: current };
      return undefined;
    }
    const votes = { requester: current.requestedBy, members, approvals: current.approvals };
    const check = checkVote(authority, user, votes, clock);
    if (!check.ok) {
      outcome = { kind: 'refused', message: check.message };
      return undefined;
    }
    const at = clock.at.toISOString();
    const approvals = [...current.approvals, { user, at }];
    const decision = evaluate(authority, { ...votes, approvals });
    if (decision.status === 'approved' && canTransition(current.state, 'approved')) {
      const next: Rollback = { ...current, approvals, state: 'approved', approvedAt: at };
      outcome = { kind: 'approved', rollback: next };
      return {
        rollback: next,
        event: { type: 'approval', user, message: `Approved by <@${user}>: approval rule met` },
        say: [line(s, `:white_check_mark: <@${user}> approved; the rule is met and execution is starting.`)],
      };
    }
    const missing = decision.status === 'pending' ? describeMissing(decision.missing) : 'nothing';
    const next: Rollback = { ...current, approvals };
    outcome = { kind: 'recorded', rollback: next, missing };
    return {
      rollback: next,
      event: { type: 'approval', user, message: `Approved by <@${user}> (${missing} needed)` },
      say: [line(s, `:ballot_box_with_check: <@${user}> approved; still needed: ${missing}.`)],
    };
  });
  return outcome;
}

export type CloseOutcome = { kind: 'missing' } | { kind: 'refused'; message: string } | { kind: 'closed'; rollback: Rollback } | { kind: 'too_late'; rollback: Rollback };

const CLOSABLE: Record<'cancelled' | 'rejected', Rollback['state'][]> = {
  rejected: ['awaiting_approval'],
  // Until the first step starts: the executor's approved → running write loses to a cancel, or wins.
  cancelled: ['requested', 'planned', 'awaiting_approval', 'approved'],
};

/**
 * A click carries `RB-n:nonce`; it acts only on the record that card was made for (ids restart
 * when Redis loses its data, and an old card must never approve a newer RB-n). Without a nonce
 * (typed `/rollback status RB-n` style ids) only records without one match.
 */
export function boundTo(rb: Rollback, nonce: string | undefined): boolean {
  return (rb.nonce ?? '') === (nonce ?? '');
}

/** Splits a button value `RB-7:abc123` into the id and the record's nonce. */
export function readButtonValue(value: string | undefined): { id: string; nonce?: string } {
  const [id = '', nonce] = (value ?? '').split(':');
  return nonce ? { id, nonce } : { id };
}

/**
 * Whether `user` may cancel (the requester or an approver) or reject (an approver, not the
 * requester) this rollback now. Undefined when allowed; the outcome to report otherwise.
 */
export async function mayClose(s: Services, rb: Rollback, user: string, how: 'cancelled' | 'rejected'): Promise<Exclude<CloseOutcome, { kind: 'closed' }> | undefined> {
  if (!CLOSABLE[how].includes(rb.state)) return { kind: 'too_late', rollback: rb };
  const { authority, members } = await authorityOf(s, rb);
  const approver = isApprover(authority, user, members);
  const roles = [...new Set(authority.requirements.flatMap((r) => r.groups.flatMap((g) => g.from)))].join(' or ');
  if (how === 'rejected' && (!approver || user === rb.requestedBy)) {
    return { kind: 'refused', message: user === rb.requestedBy ? 'You requested this rollback: use Cancel to withdraw it.' : `Only ${roles} may reject this rollback.` };
  }
  if (how === 'cancelled' && user !== rb.requestedBy && !approver) {
    return { kind: 'refused', message: `Only the requester <@${rb.requestedBy}> or ${roles} may cancel this rollback.` };
  }
  return undefined;
}

/** Cancel or reject a rollback that has not started; `note` (a rejection's reason) goes into the audit trail. */
export async function close(s: Services, id: string, user: string, how: 'cancelled' | 'rejected', note?: string, nonce?: string): Promise<CloseOutcome> {
  const rb = await s.store.get(id);
  if (!rb || !boundTo(rb, nonce)) return { kind: 'missing' };
  const refusal = await mayClose(s, rb, user, how);
  if (refusal) return refusal;
  const verb = how === 'cancelled' ? 'Cancelled' : 'Rejected';
  const res = await s.store.transition(id, how, {
    from: CLOSABLE[how],
    patch: { finishedAt: s.now().toISOString() },
    message: `${verb} by <@${user}>${note ? `: ${note}` : ''}`,
    user,
    say: (r) => [line(s, `:no_entry_sign: <@${user}> ${how} ${r.id}${note ? `: ${note}` : ''}. The target is unlocked.`)],
  });
  if (!res.changed) return { kind: 'too_late', rollback: res.rollback };
  await s.locks.release(rb.target, id);
  await s.outbox.markDirty(`card:${id}`);
  return { kind: 'closed', rollback: res.rollback };
}

/** The delayed expiry job: an approval request nobody answered in time frees its target. */
export async function expire(s: Services, id: string): Promise<Rollback | undefined> {
  const res = await s.store.transition(id, 'expired', {
    from: ['requested', 'planned', 'awaiting_approval'],
    patch: { finishedAt: s.now().toISOString() },
    message: 'Approval request expired',
    say: (r) => [line(s, `:alarm_clock: ${r.id} expired: nobody approved it within ${Math.round(s.catalog.approvalTimeout / 60_000)} min. The target is unlocked; ask again if it is still needed.`)],
  });
  if (!res.changed) return undefined;
  await s.locks.release(res.rollback.target, id);
  await s.outbox.markDirty(`card:${id}`);
  return res.rollback;
}
