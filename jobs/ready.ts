import { checkReadiness } from '../src/rollbacks/readiness.js';
import type { WorkerServices } from '../src/rollbacks/context.js';
import { readinessText } from '../src/slack/readiness.js';
import { replyPrivately } from '../src/warroom/reply.js';
import type { ReadyQuery } from './queue.js';

/** `/rollback ready <service|stack> <env>`: the checklist against live state, answered to whoever asked. */
export async function readyJob(x: WorkerServices, q: ReadyQuery, signal: AbortSignal): Promise<void> {
  const report = await checkReadiness(x, q, signal);
  await replyPrivately(x, q, readinessText(report));
}
