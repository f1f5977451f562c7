import { refusal, type Refusal } from '../domain/refusal.js';
import { stateName, type Rollback } from '../domain/rollback.js';
import type { Services } from './context.js';
import { requestRollback } from './request.js';

export interface RetryRequest {
  id: string;
  user: string;
  reason: string;
  origin: { channel: string; responseUrl?: string };
}

/** Whether the failed rollback's approvals still stand for a retry: given within the approval window. */
function freshApprovals(s: Services, rb: Rollback): boolean {
  return rb.approvedAt !== undefined && s.now().getTime() - Date.parse(rb.approvedAt) <= s.catalog.approvalTimeout;
}

/**
 * `/rollback retry RB-n`: a new request for what did not succeed in a failed rollback (for a
 * stack, only its unfinished components), planned afresh from live state. Its approvals carry
 * over while they are fresh, and are still checked against the rule; otherwise it asks again.
 */
export async function retryRollback(s: Services, q: RetryRequest): Promise<{ rollback: Rollback; carried: boolean } | { refusal: Refusal }> {
  const rb = await s.store.get(q.id);
  if (!rb) return refusal('missing', `Rewind has no rollback ${q.id}.`, '`/rollback history` lists recent ones.');
  if (rb.state !== 'failed' || !rb.startedAt) {
    return refusal(
      'too_late',
      `${rb.id} is ${stateName(rb.state).toLowerCase()}: only a rollback that failed while running can be retried.`,
      `Ask for a new one with \`/rollback ${rb.stack ? `stack ${rb.service}` : rb.service} ${rb.environment}\`.`,
    );
  }
  const unfinished = rb.stack?.components.filter((c) => rb.componentStates?.[c.name]?.state !== 'succeeded').map((c) => c.name);
  const carried = freshApprovals(s, rb) ? rb.approvals : [];
  const policy = rb.policy ?? {};
  const requested = await requestRollback(s, {
    service: rb.service,
    environment: rb.environment,
    ...(rb.requestedVersion ? { version: rb.requestedVersion } : {}),
    ...(rb.options ? { options: rb.options } : {}),
    reason: `Retry of ${rb.id}${unfinished ? ` (${unfinished.join(', ')})` : ''}: ${q.reason || rb.reason}`,
    user: q.user,
    origin: q.origin,
    classification: { severity: policy.severity?.id, scenario: policy.scenario?.id, override: policy.override },
    ...(rb.stack ? { stack: true, components: unfinished } : {}),
    retry: { of: rb.id, approvals: carried },
  });
  return 'refusal' in requested ? requested : { ...requested, carried: carried.length > 0 };
}
