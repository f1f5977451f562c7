import { formatDuration } from '../src/domain/duration.js';
import { isTerminal, type Rollback } from '../src/domain/rollback.js';
import { refreshCard, threadLine } from '../src/service/cards.js';
import { postFollowUp, postMortemDeadline, uploadPostMortem } from '../src/service/follow-up.js';
import { render } from '../src/service/template-context.js';
import type { WorkerServices } from './context.js';

/**
 * The end of a rollback: free the target, post the final status against the RTO and the filled-in
 * internal notification, then the war room's next steps (user notification and status-page
 * buttons), the post-mortem draft and its reminder. Repeating it after a crash posts nothing twice.
 */
export async function announceOutcome(x: WorkerServices, rb: Rollback): Promise<void> {
  if (!isTerminal(rb.state)) return;
  await x.locks.release(rb.target, rb.id);
  await refreshCard(x, rb.id);
  if (!(await x.journal.marked(rb.id, 'outcome'))) {
    await finalStatus(x, rb);
    await x.journal.mark(rb.id, 'outcome');
  }
  // Cancelled, rejected, expired or refused before anything ran: nothing happened to follow up on.
  if (!(rb.state === 'succeeded' || (rb.state === 'failed' && rb.startedAt))) return;
  await postFollowUp(x, (await x.store.get(rb.id)) ?? rb);
  if (!(await x.journal.marked(rb.id, 'postmortem'))) {
    await uploadPostMortem(x, rb);
    await x.journal.mark(rb.id, 'postmortem');
  }
  const remindBefore = x.catalog.postMortem?.remindBefore ?? REMIND_BEFORE_MS;
  await x.jobs.remindAfter(rb.id, postMortemDeadline(x, rb).getTime() - remindBefore - x.now().getTime());
}

/** The reminder comes this long before the post-mortem deadline unless the catalog says otherwise. */
const REMIND_BEFORE_MS = 12 * 3600_000;

async function finalStatus(x: WorkerServices, rb: Rollback): Promise<void> {
  const took = formatDuration(Date.parse(rb.finishedAt ?? x.now().toISOString()) - Date.parse(rb.createdAt));
  const rto = formatDuration(x.catalog.rto);
  const within = Date.parse(rb.finishedAt ?? '') - Date.parse(rb.createdAt) <= x.catalog.rto ? 'within' : 'over';
  if (rb.state === 'succeeded') {
    await threadLine(x, rb, `:large_green_circle: *${rb.id} succeeded*: ${rb.service} ${rb.environment} is on \`${rb.plan?.target}\` and healthy. Total ${took}, ${within} the ${rto} RTO.`, true);
  } else if (rb.state === 'failed' && rb.error) {
    const step = rb.plan?.steps.find((s) => s.id === rb.error?.stepId);
    await threadLine(
      x,
      rb,
      [
        `:red_circle: *${rb.id} failed*${step ? ` at "${step.title}"` : ''}: ${rb.error.name}: ${rb.error.message}`,
        rb.error.hint ? `*What you can do:* ${rb.error.hint}` : '',
        `The target is unlocked. Elapsed ${took} of the ${rto} RTO.`,
      ]
        .filter(Boolean)
        .join('\n'),
      true,
    );
  }
  if (rb.state === 'succeeded' || (rb.state === 'failed' && rb.startedAt)) {
    // A quote, not a code block: mentions in it still resolve to names when copied.
    const notification = (await render(x, 'internalNotification', rb)).split('\n').map((line) => `> ${line}`).join('\n');
    await threadLine(x, rb, `*Internal notification* (copy to email/status channels):\n${notification}`);
  }
}
