import { formatDuration } from '../domain/duration.js';
import { isTerminal, lockTargets, type Rollback, type RollbackError } from '../domain/rollback.js';
import { EVENTS } from '../domain/state-machine.js';
import type { OutboxEntry } from '../domain/timeline.js';
import type { Fence } from '../store/fence.js';
import { checksRan, componentLines } from '../templates/components.js';
import { line, refreshCard } from '../warroom/card.js';
import { postMortemDeadline } from '../warroom/follow-up.js';
import { endNotices } from '../warroom/notices.js';
import { render } from '../warroom/templates.js';
import type { WorkerServices } from './context.js';
import { freezeAfterSuccess, freezeAnnouncement } from './freeze.js';
import { journaledLiveTarget } from './live-target.js';

/** The reminder comes this long before the post-mortem deadline unless the catalog says otherwise. */
const REMIND_BEFORE_MS = 12 * 3600_000;

/** Something ran, so there is something to follow up on (not cancelled, refused or expired). */
function ranSomething(rb: Rollback): boolean {
  return rb.state === 'succeeded' || (rb.state === 'failed' && Boolean(rb.startedAt));
}

/** The last live target a step of the plan journaled (see LIVE_TARGET), else the plan's label. */
async function liveTarget(x: WorkerServices, rb: Rollback): Promise<string | undefined> {
  try {
    const journal = await x.journal.all(rb.id);
    return (
      journaledLiveTarget(
        journal,
        (rb.plan?.steps ?? []).map((s) => s.id),
      ) ?? rb.plan?.target
    );
  } catch {
    return rb.plan?.target;
  }
}

/**
 * What the war room hears when a rollback ends: the final status against the RTO, the filled-in
 * internal notification, then the next-steps buttons and the post-mortem draft. Written to the
 * outbox in the same atomic write as the terminal state, so it is announced exactly once.
 */
export async function outcomeEntries(x: WorkerServices, rb: Rollback): Promise<OutboxEntry[]> {
  const took = formatDuration(Date.parse(rb.finishedAt ?? x.now().toISOString()) - Date.parse(rb.createdAt));
  const rto = formatDuration(x.catalog.rto);
  const within = Date.parse(rb.finishedAt ?? '') - Date.parse(rb.createdAt) <= x.catalog.rto ? 'within' : 'over';
  const entries: OutboxEntry[] = [];
  const components = componentLines(rb).map((l) => `• ${l}`);
  if (rb.state === 'succeeded') {
    const what = rb.stack ? `stack ${rb.service} ${rb.environment} is rolled back` : `${rb.service} ${rb.environment} is on \`${await liveTarget(x, rb)}\``;
    const checked = checksRan(rb) ? ' and passed its checks' : '';
    entries.push(
      line(x, [`:large_green_circle: *${rb.id} succeeded*: ${what}${checked}. Total ${took}, ${within} the ${rto} RTO.`, ...components].join('\n'), true),
    );
    const held = freezeAnnouncement(rb);
    if (held) entries.push(line(x, held, true));
  } else if (rb.state === 'failed' && rb.error) {
    const step = rb.plan?.steps.find((s) => s.id === rb.error?.stepId);
    const text = [
      `:red_circle: *${rb.id} failed*${step ? ` at "${step.title}"` : ''}: ${rb.error.name}: ${rb.error.message}`,
      ...(components.length ? ['*Where each component is now:*', ...components] : []),
      rb.error.hint ? `*What you can do:* ${rb.error.hint}` : '',
      `${rb.stack ? 'Every target is' : 'The target is'} unlocked. Elapsed ${took} of the ${rto} RTO.`,
    ];
    entries.push(line(x, text.filter(Boolean).join('\n'), true));
  }
  if (ranSomething(rb)) {
    // A quote, not a code block: mentions in it still resolve to names when copied.
    const notification = (await render(x, 'internalNotification', rb))
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
    const internal = line(x, `*Internal notification* (copy to email/status channels):\n${notification}`);
    // What follows is stamped with the notification's time, so the thread's times never go backwards.
    entries.push(internal, ...endNotices(x, rb, internal.at), { kind: 'followup', at: internal.at }, { kind: 'postmortem', at: internal.at });
  }
  return entries;
}

/**
 * Ends a rollback: the terminal state and its announcement in one write (only the first caller
 * changes anything), then the after-effects. The event's source states guard against a racing
 * cancel or another run.
 */
export async function finish(
  x: WorkerServices,
  rb: Rollback,
  event: 'succeed' | 'fail',
  opts: { error?: RollbackError; message: string; fence?: Fence },
): Promise<Rollback> {
  const patch = { finishedAt: x.now().toISOString(), ...(opts.error ? { error: opts.error } : {}) };
  const say = await outcomeEntries(x, { ...rb, ...patch, state: EVENTS[event].to });
  const res = await x.store.transition(rb.id, event, { patch, message: opts.message, say: () => say, fence: opts.fence });
  await afterOutcome(x, res.rollback);
  return res.rollback;
}

/**
 * After a rollback ended (repeatable; the reconciler and a retried job call it too): free the
 * target, freeze deploys to what a success changed, re-render the card, and book the post-mortem reminder.
 */
export async function afterOutcome(x: WorkerServices, rb: Rollback): Promise<void> {
  if (!isTerminal(rb.state)) return;
  await x.locks.release(lockTargets(rb), rb.id);
  await freezeAfterSuccess(x, rb);
  await refreshCard(x, rb.id);
  if (!ranSomething(rb)) return;
  const remindBefore = x.catalog.postMortem?.remindBefore ?? REMIND_BEFORE_MS;
  await x.jobs.remindAfter(rb.id, postMortemDeadline(x, rb).getTime() - remindBefore - x.now().getTime());
}
