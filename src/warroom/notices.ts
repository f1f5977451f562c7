import { ErrorCode } from '@slack/web-api';
import type { Done, FollowUps, Rollback } from '../domain/rollback.js';
import type { OutboxEntry, StatusPageStatus } from '../domain/timeline.js';
import type { Services } from '../rollbacks/context.js';
import type { Message } from '../slack/poster.js';
import { failpoint } from '../failpoint.js';
import { idempotencyKey, postStatusPage, statusPagePayload } from './status-page.js';
import { render } from './templates.js';

/**
 * What the outbox poster does beyond Slack threads when a rollback starts and ends: the status
 * page update (catalog `statusPage.mode: auto`) and the Support notice (`supportChannel`). Each
 * is recorded on the rollback once done, so a repeat after a crash only says so in the thread;
 * each returns the thread line that says what happened. A failure never fails the rollback.
 */

const RECORD: Record<StatusPageStatus, 'investigating' | 'statusPage'> = { investigating: 'investigating', resolved: 'statusPage' };

/** Records a follow-up Rewind did by itself (no user), with its audit entry; the first record wins. */
async function recordDone(s: Services, id: string, kind: keyof Omit<FollowUps, 'message'>, message: string): Promise<Rollback> {
  const done: Done = { at: s.now().toISOString() };
  const res = await s.store.update(id, (r) =>
    r.followUp?.[kind] ? undefined : { rollback: { ...r, followUp: { ...r.followUp, [kind]: done } }, event: { type: 'note', message } },
  );
  return res.rollback;
}

/** The status-page text for `status`, whatever the record's state is by the time it is delivered. */
export function statusPageText(s: Services, rb: Rollback, status: StatusPageStatus): Promise<string> {
  return render(s, 'statusPage', status === 'investigating' ? { ...rb, state: 'running' } : { ...rb, state: 'succeeded' });
}

/** Posts `status` to the status page unless the record says it was; the thread line says how it went. */
export async function updateStatusPage(s: Services, rb: Rollback, status: StatusPageStatus, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const cfg = s.catalog.statusPage;
  if (!cfg) return undefined;
  const text = await statusPageText(s, rb, status);
  const done = `:globe_with_meridians: Status page updated (${status}): ${text}`;
  if (rb.followUp?.[RECORD[status]]) return done;
  const res = await postStatusPage(cfg, env, statusPagePayload(rb, text, status), { key: idempotencyKey(rb, status) });
  if (res) {
    s.log.warn({ rollback: rb.id, status, problem: res.refusal.message }, 'status page not updated');
    const then =
      status === 'investigating'
        ? 'Post "Investigating" on the status page by hand; Rewind still tries "Resolved" when the rollback succeeds.'
        : 'Press *Update status page* under the next steps once it is fixed, or update it by hand.';
    return `:warning: Status page not updated (${status}): ${res.refusal.message} The rollback is not affected. ${then}`;
  }
  failpoint('status-page-updated', status);
  await recordDone(s, rb.id, RECORD[status], `Status page updated automatically (${status}): ${text}`);
  return done;
}

/** Slack refused the post for good (not in the channel, archived, no such channel): retrying cannot help. */
function permanent(error: unknown): string | undefined {
  const e = error as { code?: string; data?: { error?: string } };
  return e.code === ErrorCode.PlatformError ? (e.data?.error ?? 'error') : undefined;
}

/** Asks `supportChannel` to pause customer responses, unless the record says it was asked. */
export async function notifySupport(s: Services, rb: Rollback, metadata: Message['metadata']): Promise<string | undefined> {
  const channel = s.catalog.supportChannel;
  if (!channel) return undefined;
  const done = `:double_vertical_bar: Support asked in <#${channel}> to pause customer responses.`;
  if (rb.followUp?.supportNotified) return done;
  try {
    await s.poster.post(channel, { text: await render(s, 'supportNotice', rb), ...(metadata ? { metadata } : {}) });
  } catch (error) {
    const code = permanent(error);
    if (!code) throw error;
    s.log.warn({ rollback: rb.id, channel, error: code }, 'support notice not posted');
    return `:warning: Support was not told to pause customer responses: Slack answered \`${code}\` for <#${channel}>. Invite Rewind there (\`/invite @Rewind\`) or fix \`supportChannel\` in the catalog, and tell Support by hand. The rollback is not affected.`;
  }
  failpoint('support-posted');
  await recordSupport(s, rb.id);
  return done;
}

/** The support notice is in Slack (posted now, or found there after a crash). */
export async function recordSupport(s: Services, id: string): Promise<Rollback> {
  return recordDone(s, id, 'supportNotified', `Support asked in <#${s.catalog.supportChannel}> to pause customer responses`);
}

/** What a rollback's start asks beyond its thread line: the status page's "Investigating" (or its button) and the Support notice. */
export function startNotices(s: Services, at: string): OutboxEntry[] {
  const mode = s.catalog.statusPage?.mode;
  return [
    ...(mode === 'auto' ? [{ kind: 'statuspage', status: 'investigating', at } as const] : mode === 'button' ? [{ kind: 'statusbutton', at } as const] : []),
    ...(s.catalog.supportChannel ? [{ kind: 'support', at } as const] : []),
  ];
}

/** What a rollback's end asks beyond its thread lines: "Resolved" on the status page, when automatic and it succeeded. */
export function endNotices(s: Services, rb: Rollback, at: string): OutboxEntry[] {
  return s.catalog.statusPage?.mode === 'auto' && rb.state === 'succeeded' ? [{ kind: 'statuspage', status: 'resolved', at }] : [];
}
