import type { WorkerServices } from '../src/rollbacks/context.js';
import { planRollback } from '../src/rollbacks/plan.js';
import { requestRollback } from '../src/rollbacks/request.js';
import { refusalLine } from '../src/slack/refusal.js';
import { createdText, replyPrivately } from '../src/warroom/reply.js';
import type { RequestJob } from './queue.js';

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
  await planRollback(x, id, signal).catch(async (error: unknown) => {
    if (signal.aborted) return; // shutting down: the reconciler plans it on the next worker
    x.log.warn({ err: error, rollback: id }, 'planning right after the request failed; handing it to the plan job');
    await x.jobs.plan(id).catch((enqueueError: unknown) => x.log.warn({ err: enqueueError, rollback: id }, 'could not enqueue the plan either; the reconciler will'));
  });
}

/** The request job gave up (Redis trouble, a bug): the requester hears it instead of silence. */
export function requestFailed(x: WorkerServices, req: RequestJob, error: Error): Promise<void> {
  return replyPrivately(
    x,
    { user: req.user, channel: req.channel, responseUrl: req.responseUrl },
    `:warning: Rewind could not take your rollback of ${req.service} ${req.environment}: ${error.message}. If no card appears in <#${x.catalog.warRoom}>, nothing was started: try again in a moment, or follow the runbook by hand.`,
  );
}
