import { refusal, type Refusal } from '../domain/refusal.js';
import { lockTargets, stateName, type Rollback } from '../domain/rollback.js';
import { accepts } from '../domain/state-machine.js';
import { isApprover } from '../policy/quorum.js';
import { authorityOf } from '../policy/resolve.js';
import { line, refreshCard } from '../warroom/card.js';
import { boundRecord } from './binding.js';
import type { Services } from './context.js';

/** Withdrawing a request (its requester or an approver) or turning it down (an approver, not the requester). */
export type Closing = 'cancel' | 'reject';

const PAST: Record<Closing, string> = { cancel: 'cancelled', reject: 'rejected' };

/** Whether `user` may `how` this rollback now: undefined when allowed, why not otherwise. */
export async function mayClose(s: Services, rb: Rollback, user: string, how: Closing): Promise<Refusal | undefined> {
  if (!accepts(how, rb.state))
    return refusal('too_late', `${rb.id} is already ${stateName(rb.state).toLowerCase()}; it can no longer be ${PAST[how]}.`).refusal;
  const { authority, members } = await authorityOf(s, rb);
  const approver = isApprover(authority, user, members);
  const roles = [...new Set(authority.requirements.flatMap((r) => r.groups.flatMap((g) => g.from)))].join(' or ');
  if (how === 'reject' && user === rb.requestedBy) return refusal('not_allowed', 'You requested this rollback: use Cancel to withdraw it.').refusal;
  if (how === 'reject' && !approver) return refusal('not_allowed', `Only ${roles} may reject this rollback.`).refusal;
  if (how === 'cancel' && user !== rb.requestedBy && !approver)
    return refusal('not_allowed', `Only the requester <@${rb.requestedBy}> or ${roles} may cancel this rollback.`).refusal;
  return undefined;
}

/** Cancels or rejects a rollback that has not started; `note` (a rejection's reason) goes into the audit trail. */
export async function close(
  s: Services,
  id: string,
  user: string,
  how: Closing,
  note?: string,
  nonce?: string,
): Promise<{ rollback: Rollback } | { refusal: Refusal }> {
  const bound = await boundRecord(s, id, nonce);
  if ('refusal' in bound) return bound;
  const refused = await mayClose(s, bound.rollback, user, how);
  if (refused) return { refusal: refused };
  const res = await s.store.transition(id, how, {
    patch: { finishedAt: s.now().toISOString() },
    message: `${how === 'cancel' ? 'Cancelled' : 'Rejected'} by <@${user}>${note ? `: ${note}` : ''}`,
    user,
    say: (r) => [line(s, `:no_entry_sign: <@${user}> ${PAST[how]} ${r.id}${note ? `: ${note}` : ''}. The target is unlocked.`)],
  });
  if (!res.changed) return refusal('too_late', `${id} is already ${stateName(res.rollback.state).toLowerCase()}; it can no longer be ${PAST[how]}.`);
  await s.locks.release(lockTargets(bound.rollback), id);
  await refreshCard(s, id);
  return { rollback: res.rollback };
}
