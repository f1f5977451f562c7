import { createdText, notCreatedText } from '../src/service/request-reply.js';
import { replyPrivately } from '../src/service/notify.js';
import { requestRollback } from '../src/service/requests.js';
import type { WorkerServices } from './context.js';
import { planJob } from './plan.js';
import type { RequestJob } from './queue.js';

/**
 * A `/rollback` the web role acked and parsed: classify, record and lock it, tell the requester,
 * then plan it here and now (a crash after the record is stored leaves it to the reconciler).
 */
export async function requestJob(x: WorkerServices, req: RequestJob, signal: AbortSignal): Promise<void> {
  const to = { user: req.user, channel: req.channel, responseUrl: req.responseUrl };
  const outcome = await requestRollback(x, { ...req, origin: { channel: req.channel, responseUrl: req.responseUrl } });
  if (outcome.kind !== 'created') {
    const sev = req.classification?.scenario ?? req.classification?.severity;
    const how =
      outcome.kind === 'refused' && outcome.reason === 'needs_override'
        ? `\nTo roll back anyway: \`/rollback ${req.service} ${req.environment}${req.version ? ` to ${req.version}` : ''} sev ${sev} override <why a rollback is still right>\``
        : '';
    return replyPrivately(x, to, notCreatedText(x, req.service, req.environment, outcome) + how);
  }
  await replyPrivately(x, to, createdText(x, outcome.rollback.id, req.service, req.environment));
  await planJob(x, outcome.rollback.id, signal);
}

/** The request job gave up (Redis trouble, a bug): the requester hears it instead of silence. */
export function requestFailed(x: WorkerServices, req: RequestJob, error: Error): Promise<void> {
  return replyPrivately(
    x,
    { user: req.user, channel: req.channel, responseUrl: req.responseUrl },
    `:warning: Rewind could not take your rollback of ${req.service} ${req.environment}: ${error.message}. If no card appears in <#${x.catalog.warRoom}>, nothing was started: try again in a moment, or follow the runbook by hand.`,
  );
}
