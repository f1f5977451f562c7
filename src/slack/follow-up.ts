import type { KnownBlock } from '@slack/types';
import type { Approval, Rollback } from '../domain/rollback.js';
import { isStuckEcsRollout } from '../domain/stuck.js';
import type { Message } from './poster.js';

/** The war room's next steps after a rollback finished: buttons until done, then who did it. */

export const ACTION_USER_NOTIFY = 'rollback_user_notify';
export const ACTION_STATUS_PAGE = 'rollback_status_page';
export const ACTION_POSTMORTEM_SCHEDULED = 'rollback_postmortem_scheduled';
export const ACTION_KILL_STUCK = 'rollback_kill_stuck';

export interface FollowUpOptions {
  /** Where the user notification goes (catalog `userChannel`); no button without it. */
  userChannel?: string;
  /** Whether a status-page webhook is configured. */
  statusPage: boolean;
  /** `2026-01-24 10:00 UTC`. */
  postMortemDeadline: string;
}

const done = (what: string, by: Approval) => `:white_check_mark: ${what} by <@${by.user}> at ${by.at.slice(11, 16)} UTC`;

export function followUpMessage(rb: Rollback, opts: FollowUpOptions): Message {
  const f = rb.followUp ?? {};
  // Stamped like every thread line, with the time the rollback finished.
  const lines = [`\`${(rb.finishedAt ?? rb.updatedAt).slice(11, 19)}\` *Next steps for ${rb.id}*`];
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
  if (opts.statusPage) {
    if (f.statusPage) lines.push(done('Status page updated', f.statusPage));
    else {
      lines.push(`• Update the status page (${rb.state === 'succeeded' ? 'resolved' : 'investigating'}).`);
      elements.push({ type: 'button', action_id: ACTION_STATUS_PAGE, text: { type: 'plain_text', text: 'Update status page' }, value: rb.id });
    }
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
