import { refusal, type Refusal } from '../domain/refusal.js';
import { doneBy, type Done, type FollowUps, type Rollback } from '../domain/rollback.js';
import { isApprover } from '../policy/quorum.js';
import { authorityOf } from '../policy/resolve.js';
import { refreshFollowUp } from '../warroom/follow-up.js';
import { statusPageText } from '../warroom/notices.js';
import { idempotencyKey, postStatusPage, statusOf, statusPagePayload } from '../warroom/status-page.js';
import { render } from '../warroom/templates.js';
import type { Services } from './context.js';
import { scopeOf } from './scope.js';

export type FollowUpKind = Exclude<keyof FollowUps, 'message'>;

/** A follow-up button someone pressed: which rollback, which follow-up, who, where to answer. */
export interface FollowUpRequest {
  id: string;
  kind: Extract<FollowUpKind, 'userNotified' | 'investigating' | 'statusPage'>;
  user: string;
  channel: string;
}

/** The follow-up could not be done (the status page refused); the presser has been told why. */
export class FollowUpFailed extends Error {
  override name = 'FollowUpFailed';
}

const DONE_WHAT: Record<FollowUpKind, string> = {
  userNotified: 'The user notification was posted',
  investigating: 'The status page was told "Investigating"',
  supportNotified: 'Support was asked to pause customer responses',
  statusPage: 'The status page was updated',
  postMortemScheduled: 'The post-mortem was marked scheduled',
};

/** "Already done", saying by whom and when, so a second press reassures instead of alarming. */
export function alreadyDone(rb: Rollback, kind: FollowUpKind, by: Done): Refusal {
  return refusal('done', `${DONE_WHAT[kind]} for ${rb.id} ${doneBy(by)}.`, 'Nothing more to do here; see the thread.').refusal;
}

/** Loads the rollback of a follow-up button and checks the presser may speak for it (requester or approver). */
export async function followUpRecord(s: Services, id: string, user: string): Promise<{ rollback: Rollback } | { refusal: Refusal }> {
  const rb = await s.store.get(id);
  if (!rb) return refusal('missing', `Rewind has no rollback ${id}.`);
  if (user === rb.requestedBy) return { rollback: rb };
  const { authority, members } = await authorityOf(s, rb);
  if (isApprover(authority, user, members)) return { rollback: rb };
  return refusal('not_allowed', `Only the requester <@${rb.requestedBy}> or an approver of ${rb.id} may post its notifications.`);
}

/**
 * Records that `user` did a follow-up, once: the first press wins, in the audit trail. Returns
 * who did it first when someone already had.
 */
export async function recordFollowUp(s: Services, id: string, kind: FollowUpKind, user: string, message: string): Promise<Done | undefined> {
  let earlier: Done | undefined;
  await s.store.update(id, (r) => {
    earlier = r.followUp?.[kind];
    if (earlier) return undefined;
    return { rollback: { ...r, followUp: { ...r.followUp, [kind]: { user, at: s.now().toISOString() } } }, event: { type: 'note', user, message } };
  });
  return earlier;
}

/**
 * A war-room follow-up someone pressed (the web role checked who): the user notification or a
 * status-page update ("Investigating" at the start, the end's at the end), done once per rollback. Throws FollowUpFailed (after telling the presser)
 * when the status page refuses, so the job is dropped and a later press can try again.
 */
export async function followUp(s: Services, q: FollowUpRequest, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const rb = await s.store.get(q.id);
  if (!rb || rb.followUp?.[q.kind]) return;
  let line: string;
  if (q.kind === 'userNotified') {
    const target = s.catalog.userChannel;
    if (!target) return;
    await s.poster.post(target, { text: await render(s, 'userNotification', rb) });
    await recordFollowUp(s, rb.id, 'userNotified', q.user, `User notification posted to <#${target}> by <@${q.user}>`);
    line = `:mega: <@${q.user}> posted the user notification to <#${target}>.`;
  } else {
    const cfg = s.catalog.statusPage;
    if (!cfg) return;
    const status = q.kind === 'investigating' ? 'investigating' : statusOf(rb);
    const text = await statusPageText(s, rb, status);
    const res = await postStatusPage(cfg, env, statusPagePayload(rb, text, status), { key: idempotencyKey(rb, status) });
    if (res) {
      await s.poster.ephemeral(q.channel, q.user, `:warning: Status page not updated: ${res.refusal.message}`);
      throw new FollowUpFailed(res.refusal.message);
    }
    await recordFollowUp(s, rb.id, q.kind, q.user, `Status page updated by <@${q.user}>: ${text}`);
    line = `:globe_with_meridians: <@${q.user}> updated the status page: ${text}`;
  }
  await scopeOf(s, rb.id).thread(line);
  await refreshFollowUp(s, rb.id);
}

/** "Post-mortem scheduled": stops the reminder; anyone in the war room may say so, and it is audited. */
export async function markPostMortemScheduled(s: Services, id: string, user: string): Promise<{ rollback: Rollback } | { refusal: Refusal }> {
  const rb = await s.store.get(id);
  if (!rb) return refusal('missing', `Rewind has no rollback ${id}.`);
  const earlier = await recordFollowUp(s, rb.id, 'postMortemScheduled', user, `Post-mortem marked scheduled by <@${user}>`);
  if (earlier) return { refusal: alreadyDone(rb, 'postMortemScheduled', earlier) };
  await scopeOf(s, rb.id).thread(`:calendar: <@${user}> marked the post-mortem for ${rb.id} as scheduled; no reminder will be sent.`);
  await refreshFollowUp(s, rb.id);
  return { rollback: rb };
}
