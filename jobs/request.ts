import type { WorkerServices } from '../src/rollbacks/context.js';
import { planRollback } from '../src/rollbacks/plan.js';
import { requestRollback } from '../src/rollbacks/request.js';
import { refusalLine } from '../src/slack/refusal.js';
import { createdText, replyPrivately } from '../src/warroom/reply.js';
import { killStuckDeployment } from '../src/rollbacks/kill-stuck.js';
import { retryRollback } from '../src/rollbacks/retry.js';
import type { RequestJob, RetryJob } from './queue.js';

/**
 * A `/rollback` the web role acked and parsed: classify, record and lock it, tell the requester,
 * then plan it. Once the record exists nothing here may throw: a retry of this job would file a
 * second request; a plan that cannot start now is left to its own job's retries or the reconciler.
 */
export async function requestJob(x: WorkerServices, req: RequestJob, signal: AbortSignal): Promise<void> {
  const to = { user: req.user, channel: req.channel, responseUrl: req.responseUrl };
  const outcome = await requestRollback(x, { ...req, origin: { channel: req.channel, responseUrl: req.responseUrl } });
  if ('refusal' in outcome) return replyPrivately(x, to, refusalLine(outcome.refusal));
  const { id } = outcome.rollback;
  await replyPrivately(x, to, createdText(x, id, req.service, req.environment));
  await planAfterRequest(x, id, signal);
}

/** Plans a new record at once; if that fails, the plan job (and after it the reconciler) takes over: nothing here throws. */
function planAfterRequest(x: WorkerServices, id: string, signal: AbortSignal): Promise<void> {
  return planRollback(x, id, signal).catch(async (error: unknown) => {
    if (signal.aborted) return; // shutting down: the reconciler plans it on the next worker
    x.log.warn({ err: error, rollback: id }, 'planning right after the request failed; handing it to the plan job');
    await x.jobs
      .plan(id)
      .catch((enqueueError: unknown) => x.log.warn({ err: enqueueError, rollback: id }, 'could not enqueue the plan either; the reconciler will'));
  });
}

/** `/rollback retry RB-n`: a new request for what did not succeed, planned like any other. */
export async function retryJob(x: WorkerServices, q: RetryJob, signal: AbortSignal): Promise<void> {
  const to = { user: q.user, channel: q.channel, responseUrl: q.responseUrl };
  const outcome = await retryRollback(x, { id: q.id, user: q.user, reason: q.reason, origin: { channel: q.channel, responseUrl: q.responseUrl } });
  if ('refusal' in outcome) return replyPrivately(x, to, refusalLine(outcome.refusal));
  const { rollback } = outcome;
  const approvals = outcome.carried
    ? ` The approvals of ${q.id} carry over while they meet the rule.`
    : ` ${q.id}'s approvals are older than the approval window, so it needs approving again.`;
  await replyPrivately(x, to, createdText(x, rollback.id, rollback.service, rollback.environment) + approvals);
  await planAfterRequest(x, rollback.id, signal);
}

/** `/rollback kill-stuck RB-n`: a new request for the forced deployment, on its own card and approval. */
export async function killStuckJob(x: WorkerServices, q: RetryJob, signal: AbortSignal): Promise<void> {
  const to = { user: q.user, channel: q.channel, responseUrl: q.responseUrl };
  const outcome = await killStuckDeployment(x, { id: q.id, user: q.user, reason: q.reason, origin: { channel: q.channel, responseUrl: q.responseUrl } });
  if ('refusal' in outcome) return replyPrivately(x, to, refusalLine(outcome.refusal));
  const { rollback } = outcome;
  await replyPrivately(x, to, `${createdText(x, rollback.id, rollback.service, rollback.environment)} It needs its own approval: it stops every task at once.`);
  await planAfterRequest(x, rollback.id, signal);
}

/** The request job gave up (Redis trouble, a bug): the requester hears it instead of silence. */
export function requestFailed(x: WorkerServices, req: RequestJob, error: Error): Promise<void> {
  return replyPrivately(
    x,
    { user: req.user, channel: req.channel, responseUrl: req.responseUrl },
    `:warning: Rewind could not take your rollback of ${req.service} ${req.environment}: ${error.message}. If no card appears in <#${x.catalog.warRoom}>, nothing was started: try again in a moment, or follow the runbook by hand.`,
  );
}
