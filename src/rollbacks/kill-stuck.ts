import { refusal, type Refusal } from '../domain/refusal.js';
import { stateName, type Rollback } from '../domain/rollback.js';
import { isStuckEcsRollout } from '../domain/stuck.js';
import type { Services } from './context.js';
import { requestRollback } from './request.js';
import type { RetryRequest } from './retry.js';

/**
 * `/rollback kill-stuck RB-n` (or the button under a stuck ECS rollback): a new request, on its own
 * card and approved afresh by the service's rule, to force a new deployment with
 * minimumHealthyPercent=0. Nothing carries over from RB-n: this action takes the service down.
 */
export async function killStuckDeployment(s: Services, q: RetryRequest): Promise<{ rollback: Rollback } | { refusal: Refusal }> {
  const rb = await s.store.get(q.id);
  if (!rb) return refusal('missing', `Rewind has no rollback ${q.id}.`, '`/rollback history` lists recent ones.');
  if (!isStuckEcsRollout(rb)) {
    const what = rb.error ? `${stateName(rb.state).toLowerCase()}: ${rb.error.name}` : stateName(rb.state).toLowerCase();
    return refusal(
      'too_late',
      `${rb.id} is not an ECS rollback stuck waiting for steady state (${what}), so there is no stuck deployment to kill.`,
      rb.state === 'failed' ? `\`/rollback retry ${rb.id}\` asks for it again.` : `Follow it with \`/rollback status ${rb.id}\`.`,
    );
  }
  const policy = rb.policy ?? {};
  return requestRollback(s, {
    service: rb.service,
    environment: rb.environment,
    options: { killStuck: rb.id },
    reason: `Kill stuck deployment of ${rb.id}: ${q.reason || rb.reason}`,
    user: q.user,
    origin: q.origin,
    classification: { severity: policy.severity?.id, scenario: policy.scenario?.id, override: policy.override },
  });
}
