import { UnrecoverableError } from 'bullmq';
import { threadLine } from '../src/service/cards.js';
import { recordFollowUp, refreshFollowUp } from '../src/service/follow-up.js';
import { postStatusPage, statusPagePayload } from '../src/service/status-page.js';
import { render } from '../src/service/template-context.js';
import type { WorkerServices } from './context.js';
import type { FollowUpJob } from './queue.js';

/**
 * A war-room follow-up someone clicked (the web role checked who): the user notification or the
 * status-page update, done once per rollback. Its job id is fixed, so double clicks are one job; a
 * failure is told to the clicker and the job is dropped, so a later click can try again.
 */
export async function followUpJob(x: WorkerServices, q: FollowUpJob, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const rb = await x.store.get(q.id);
  if (!rb || rb.followUp?.[q.kind]) return;
  let line: string;
  if (q.kind === 'userNotified') {
    const target = x.catalog.userChannel;
    if (!target) return;
    await x.poster.post(target, { text: await render(x, 'userNotification', rb) });
    await recordFollowUp(x, rb.id, 'userNotified', q.user, `User notification posted to <#${target}> by <@${q.user}>`);
    line = `:mega: <@${q.user}> posted the user notification to <#${target}>.`;
  } else {
    const cfg = x.catalog.statusPage;
    if (!cfg) return;
    const text = await render(x, 'statusPage', rb);
    const res = await postStatusPage(cfg, env, statusPagePayload(rb, text));
    if (!res.ok) {
      await x.poster.ephemeral(q.channel, q.user, `:warning: Status page not updated: ${res.message}`);
      throw new UnrecoverableError(res.message);
    }
    await recordFollowUp(x, rb.id, 'statusPage', q.user, `Status page updated by <@${q.user}>: ${text}`);
    line = `:globe_with_meridians: <@${q.user}> updated the status page: ${text}`;
  }
  await threadLine(x, rb, line);
  await refreshFollowUp(x, rb.id);
}
