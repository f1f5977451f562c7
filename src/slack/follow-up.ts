import type { KnownBlock } from '@slack/types';
import { doneBy, type Done, type Rollback } from '../domain/rollback.js';
import { isStuckEcsRollout } from '../domain/stuck.js';
import type { Message } from './poster.js';

/** The war room's next steps after a rollback finished: buttons until done, then who did it. */

export const ACTION_USER_NOTIFY = 'rollback_user_notify';
export const ACTION_STATUS_PAGE = 'rollback_status_page';
export const ACTION_POSTMORTEM_SCHEDULED = 'rollback_postmortem_scheduled';
export const ACTION_KILL_STUCK = 'rollback_kill_stuck';
/** Catalog `statusPage.mode: button`: "Investigating" on the status page, offered when the rollback starts. */
export const ACTION_STATUS_INVESTIGATING = 'rollback_status_investigating';

export interface FollowUpOptions {
  /** Where the user notification goes (catalog `userChannel`); no button without it. */
  userChannel?: string;
  /** Whether a status-page webhook is configured. */
  statusPage: boolean;
  /** `2026-01-24 10:00 UTC`. */
  postMortemDeadline: string;
}

const done = (what: string, by: Done) => `:white_check_mark: ${what} ${doneBy(by)}`;

/** The status page's line and button: "Resolved" once the rollback succeeded; else "Investigating" unless it says so already. */
function statusPageLine(rb: Rollback, lines: string[]): boolean {
  const f = rb.followUp ?? {};
  if (rb.state === 'succeeded') {
    if (f.statusPage) lines.push(done('Status page resolved', f.statusPage));
    else lines.push('• Update the status page (resolved).');
    return !f.statusPage;
  }
  const said = f.statusPage ?? f.investigating;
  if (said) lines.push(done('Status page says "Investigating"', said));
  else lines.push('• Update the status page (investigating).');
  return !said;
}

/** Catalog `statusPage.mode: button`, when a rollback starts: the runbook's "Investigating" update, one press away. */
export function investigatingAsk(rb: Rollback, stamp: string): Message {
  const text = `\`${stamp.slice(11, 19)}\` :globe_with_meridians: *Status page*: the runbook says to post "Investigating" now that ${rb.id} is under way.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        block_id: `investigating:${rb.id}`,
        elements: [{ type: 'button', action_id: ACTION_STATUS_INVESTIGATING, text: { type: 'plain_text', text: 'Post "Investigating"' }, value: rb.id }],
      },
    ],
  };
}

/** The next-steps message, stamped `stamp` (when it was posted: never before the line above it). */
export function followUpMessage(rb: Rollback, opts: FollowUpOptions, stamp: string): Message {
  const f = rb.followUp ?? {};
  const lines = [`\`${stamp.slice(11, 19)}\` *Next steps for ${rb.id}*`];
  const buttons: KnownBlock[] = [];
  const elements: { type: 'button'; action_id: string; text: { type: 'plain_text'; text: string }; value: string; style?: 'primary' | 'danger' }[] = [];
  // The runbook's "Kill stuck deployment": it only files a request, with its own card and approval.
  if (isStuckEcsRollout(rb)) {
    lines.push(
      `• The ECS deployment is stuck: *Kill stuck deployment* asks to force a new one with minimumHealthyPercent=0 (\`/rollback kill-stuck ${rb.id}\`). All tasks stop at once: downtime until the new ones pass health checks. It needs its own approval.`,
    );
    elements.push({ type: 'button', action_id: ACTION_KILL_STUCK, style: 'danger', text: { type: 'plain_text', text: 'Kill stuck deployment' }, value: rb.id });
  }
  // Users hear "all systems are operational" only when that is true.
  if (opts.userChannel && rb.state === 'succeeded') {
    if (f.userNotified) lines.push(done(`User notification posted to <#${opts.userChannel}>`, f.userNotified));
    else {
      lines.push(`• Tell users: posts the user notification to <#${opts.userChannel}>.`);
      elements.push({ type: 'button', action_id: ACTION_USER_NOTIFY, text: { type: 'plain_text', text: 'Post user notification' }, value: rb.id });
    }
  }
  if (opts.statusPage && statusPageLine(rb, lines)) {
    elements.push({ type: 'button', action_id: ACTION_STATUS_PAGE, text: { type: 'plain_text', text: 'Update status page' }, value: rb.id });
  }
  if (f.postMortemScheduled) lines.push(done('Post-mortem scheduled', f.postMortemScheduled));
  else {
    lines.push(
      `• Post-mortem due by ${opts.postMortemDeadline}: the draft is in this thread. Mark it scheduled once it is booked, or Rewind reminds the thread before the deadline.`,
    );
    elements.push({
      type: 'button',
      action_id: ACTION_POSTMORTEM_SCHEDULED,
      style: 'primary',
      text: { type: 'plain_text', text: 'Post-mortem scheduled' },
      value: rb.id,
    });
  }
  if (elements.length) buttons.push({ type: 'actions', block_id: `followup:${rb.id}`, elements });
  const text = lines.join('\n');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, ...buttons] };
}
