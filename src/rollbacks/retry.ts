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
 * Where a failed plain rollback stopped, when its plan can start there (a runbook sequence): the
 * first step not done, if earlier ones finished, with the options that resume at it.
 */
async function resumePoint(s: Services, rb: Rollback): Promise<{ options: Record<string, string>; says: string } | undefined> {
  const steps = rb.plan?.steps ?? [];
  const journal = await s.journal.all(rb.id);
  const index = steps.findIndex((step) => journal[step.id]?.status !== 'done');
  const step = steps[index];
  if (index <= 0 || !step?.resume) return undefined;
  // The resume options name a step in the request's own words (`from db-push`): the card says it that way.
  const words = (resume: Record<string, string>) => Object.entries(resume).map(([k, v]) => `${k} ${v}`);
  const finished = steps.slice(0, index).map((d) => (d.resume ? Object.values(d.resume).join(' ') : d.title));
  return {
    options: step.resume,
    says: `resuming ${words(step.resume).join(' ')}: ${finished.join(', ')} finished in ${rb.id} and ${finished.length > 1 ? 'do' : 'does'} not run again`,
  };
}

/**
 * `/rollback retry RB-n`: a new request for what did not succeed in a failed rollback (for a
 * stack, only its unfinished components; for a runbook sequence, from its first unfinished
 * command, as `from <command>` would), planned afresh from live state. Its approvals carry
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
  const resume = rb.stack ? undefined : await resumePoint(s, rb);
  const unfinished = rb.stack?.components.filter((c) => rb.componentStates?.[c.name]?.state !== 'succeeded').map((c) => c.name);
  const carried = freshApprovals(s, rb) ? rb.approvals : [];
  const policy = rb.policy ?? {};
  const requested = await requestRollback(s, {
    service: rb.service,
    environment: rb.environment,
    ...(rb.requestedVersion ? { version: rb.requestedVersion } : {}),
    ...(rb.options || resume ? { options: { ...rb.options, ...resume?.options } } : {}),
    reason: `Retry of ${rb.id}${unfinished ? ` (${unfinished.join(', ')})` : ''}${resume ? `, ${resume.says}` : ''}: ${q.reason || rb.reason}`,
    user: q.user,
    origin: q.origin,
    classification: { severity: policy.severity?.id, scenario: policy.scenario?.id, override: policy.override },
    ...(rb.stack ? { stack: true, components: unfinished } : {}),
    retry: { of: rb.id, approvals: carried },
  });
  return 'refusal' in requested ? requested : { ...requested, carried: carried.length > 0 };
}
