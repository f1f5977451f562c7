import type { Rollback } from '../domain/rollback.js';
import { followUpMessage, type FollowUpOptions } from '../slack/follow-up.js';
import type { Message } from '../slack/poster.js';
import type { Services } from '../rollbacks/context.js';
import { POST_MORTEM_WITHIN_MS, render } from './templates.js';

export function postMortemDeadline(s: Services, rb: Rollback): Date {
  return new Date(Date.parse(rb.createdAt) + (s.catalog.postMortem?.within ?? POST_MORTEM_WITHIN_MS));
}

function options(s: Services, rb: Rollback): FollowUpOptions {
  return {
    ...(s.catalog.userChannel ? { userChannel: s.catalog.userChannel } : {}),
    statusPage: Boolean(s.catalog.statusPage),
    postMortemDeadline: `${postMortemDeadline(s, rb).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  };
}

/** The next-steps message (buttons) for the thread, rendered from the record, stamped as first posted. */
export function followUpOf(s: Services, rb: Rollback, stamp = rb.followUp?.message?.at ?? rb.finishedAt ?? rb.updatedAt): Message {
  return followUpMessage(rb, options(s, rb), stamp);
}

/** Asks the outbox poster to re-render the next-steps message from the record. */
export function refreshFollowUp(s: Services, id: string): Promise<void> {
  return s.outbox.markDirty(`followup:${id}`);
}

/** Slack ids → display names for files and user-facing text; unknown users stay ids. */
export async function displayNames(s: Services, ids: string[]): Promise<Record<string, string>> {
  const entries = await Promise.all(
    [...new Set(ids)].map(async (id) => {
      try {
        const res = await s.poster.client.users.info({ user: id });
        const u = res.user;
        return [id, u?.profile?.display_name || u?.real_name || u?.name || id] as const;
      } catch {
        return [id, id] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** Words of the upload's comment that recovery looks for in the thread after a crash. */
export const postMortemMarker = (rb: Rollback) => `Post-mortem draft for ${rb.id}`;

/** The Skillancer post-mortem draft, filled from the record and its timeline, as a Markdown file in the thread. */
export async function uploadPostMortem(s: Services, rb: Rollback, stamp = rb.finishedAt ?? s.now().toISOString()): Promise<void> {
  if (!rb.card) return;
  const timeline = await s.store.timeline(rb.id);
  const ids = [
    rb.requestedBy,
    ...rb.approvals.map((a) => a.user),
    ...timeline.flatMap((e) => [...e.message.matchAll(/<@([UW][A-Z0-9]+)>/g)].map((m) => m[1]!)),
  ];
  const markdown = await render(s, 'postMortem', rb, { names: await displayNames(s, ids), withTimeline: true });
  await s.poster.client.filesUploadV2({
    channel_id: rb.card.channel,
    thread_ts: rb.card.ts,
    filename: `post-mortem-${rb.id}.md`,
    title: `Post-mortem draft: ${rb.id} ${rb.service} ${rb.environment}`,
    content: markdown,
    initial_comment: `\`${stamp.slice(11, 19)}\` :memo: ${postMortemMarker(rb)} (post-mortem template, timeline from the audit trail). Due by ${options(s, rb).postMortemDeadline}.`,
  });
}

/** The reminder before the post-mortem deadline, naming the requester and the approvers. */
export function postMortemReminder(s: Services, rb: Rollback): string {
  const who = [...new Set([rb.requestedBy, ...rb.approvals.map((a) => a.user)])].map((u) => `<@${u}>`).join(' ');
  return `:alarm_clock: ${who} the post-mortem for ${rb.id} is due by ${options(s, rb).postMortemDeadline} and nobody has marked it scheduled. Book it with the stakeholders (draft above), then press *Post-mortem scheduled*.`;
}
