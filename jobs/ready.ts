import { checkReadiness } from '../src/rollbacks/readiness.js';
import type { WorkerServices } from '../src/rollbacks/context.js';
import { readinessText } from '../src/slack/readiness.js';
import { replyPrivately } from '../src/warroom/reply.js';
import type { ReadyQuery } from './queue.js';

/** `/rollback ready <service|stack> <env>`: the checklist against live state, answered to whoever asked (also when it could not be read). */
export async function readyJob(x: WorkerServices, q: ReadyQuery, signal: AbortSignal): Promise<void> {
  let text: string;
  try {
    text = readinessText(await checkReadiness(x, q, signal));
  } catch (error) {
    if (signal.aborted) throw error;
    x.log.warn({ err: error, service: q.service, environment: q.environment }, '/rollback ready failed');
    const e = error as Error;
    text = `:warning: Rewind could not check ${q.stack ? 'stack ' : ''}${q.service} ${q.environment}: ${e.name}: ${e.message}. Nothing was changed; try again in a moment.`;
  }
  await replyPrivately(x, q, text);
}
