import { refusal, type Refusal } from '../domain/refusal.js';
import { stateName, type Rollback } from '../domain/rollback.js';
import { fire } from '../domain/state-machine.js';
import { checkVote, describeMissing, evaluate } from '../policy/quorum.js';
import { authorityOf, expiresAt } from '../policy/resolve.js';
import { initiatedText, oncallLine } from '../warroom/announce.js';
import { line } from '../warroom/card.js';
import { boundRecord } from './binding.js';
import type { Services } from './context.js';

/** A counted vote: `approved` when it met the rule (execution may start), else what is still missing. */
export type Vote = { rollback: Rollback; approved: true } | { rollback: Rollback; approved: false; missing: string };

/**
 * Records one approval and, when every rule is met, fires `approve` in the same atomic write: of
 * several simultaneous final clicks exactly one sees `approved`.
 */
export async function approve(s: Services, id: string, user: string, nonce?: string): Promise<Vote | { refusal: Refusal }> {
  const bound = await boundRecord(s, id, nonce);
  if ('refusal' in bound) return bound;
  const { authority, members, problem } = await authorityOf(s, bound.rollback);
  if (problem) return refusal('not_allowed', problem);
  const clock = { at: s.now(), expiresAt: expiresAt(s, bound.rollback) };
  const oncall = await oncallLine(s, members);
  let outcome: Vote | { refusal: Refusal } = refusal('too_late', `${id} is not waiting for approval.`);
  await s.store.update(id, (current) => {
    if (current.state !== 'awaiting_approval') {
      outcome = refusal('too_late', `${current.id} is ${stateName(current.state).toLowerCase()}: there is nothing to approve.`);
      return undefined;
    }
    const votes = { requester: current.requestedBy, members, approvals: current.approvals };
    const refused = checkVote(authority, user, votes, clock);
    if (refused) {
      outcome = { refusal: refused };
      return undefined;
    }
    const at = clock.at.toISOString();
    const withVote: Rollback = { ...current, approvals: [...current.approvals, { user, at }] };
    const decision = evaluate(authority, { ...votes, approvals: withVote.approvals });
    const approved = decision.status === 'approved' ? fire({ ...withVote, approvedAt: at }, 'approve') : undefined;
    if (approved) {
      outcome = { rollback: approved, approved: true };
      return {
        rollback: approved,
        event: { type: 'approval', user, message: `Approved by <@${user}>: approval rule met` },
        say: [line(s, initiatedText(s, approved, oncall), true)],
      };
    }
    const missing = decision.status === 'pending' ? describeMissing(decision.missing) : 'nothing';
    outcome = { rollback: withVote, approved: false, missing };
    return {
      rollback: withVote,
      event: { type: 'approval', user, message: `Approved by <@${user}> (${missing} needed)` },
      say: [line(s, `:ballot_box_with_check: <@${user}> approved; still needed: ${missing}.`)],
    };
  });
  return outcome;
}

/**
 * A retry's carried approvals, once its new plan is proposed: if they still meet the rule (roles
 * as they are now, never the retry's requester), the retry is approved at once. Returns whether it was.
 */
export async function approveCarried(s: Services, id: string): Promise<boolean> {
  const rb = await s.store.get(id);
  if (!rb?.retryOf || rb.approvals.length === 0) return false;
  const { authority, members, problem } = await authorityOf(s, rb);
  if (problem) return false;
  const oncall = await oncallLine(s, members);
  const res = await s.store.update(id, (current) => {
    const decision = evaluate(authority, { requester: current.requestedBy, members, approvals: current.approvals });
    const approved = decision.status === 'approved' ? fire({ ...current, approvedAt: s.now().toISOString() }, 'approve') : undefined;
    if (!approved) return undefined;
    const who = decision.counted.map((u) => `<@${u}>`).join(', ');
    return {
      rollback: approved,
      event: { type: 'approval', message: `Approved by the approvals carried over from ${current.retryOf} (${who})` },
      say: [
        line(s, `:white_check_mark: Approved by ${who} on ${current.retryOf}, still within the approval window.`),
        line(s, initiatedText(s, approved, oncall), true),
      ],
    };
  });
  return res.changed;
}
