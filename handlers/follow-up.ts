import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Rollback } from '../src/domain/rollback.js';
import { isApprover } from '../src/policy/quorum.js';
import { authorityOf } from '../src/service/authority.js';
import { threadLine } from '../src/service/cards.js';
import { recordFollowUp, refreshFollowUp } from '../src/service/follow-up.js';
import { postStatusPage, statusPagePayload } from '../src/service/status-page.js';
import { render } from '../src/service/template-context.js';
import { keys } from '../src/store/keys.js';
import { claimOnce } from '../src/store/once.js';
import type { WebServices } from './context.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** Loads the rollback of a follow-up button and checks the clicker may speak for it (requester or approver). */
async function authorize(w: WebServices, id: string, user: string): Promise<{ rb: Rollback } | { refusal: string }> {
  const rb = await w.store.get(id);
  if (!rb) return { refusal: `No rollback ${id}.` };
  if (user === rb.requestedBy) return { rb };
  const { authority, members } = await authorityOf(w, rb);
  if (isApprover(authority, user, members)) return { rb };
  return { refusal: `:no_entry: Only the requester <@${rb.requestedBy}> or an approver of ${rb.id} may post its notifications.` };
}

/**
 * Runs a one-time outside effect (a post, a webhook): claimed first so double clicks do it once,
 * released again when it failed so someone can retry.
 */
async function once(w: WebServices, key: string, effect: () => Promise<string | undefined>): Promise<string | undefined> {
  if (!(await claimOnce(w.redis, w.prefix, key, 7 * 24 * 3600))) return 'Already done (or in progress): see the thread.';
  const problem = await effect().catch((error: unknown) => `${(error as Error).message}`);
  if (problem) await w.redis.del(keys(w.prefix).once(key));
  return problem;
}

function where(body: BlockButtonAction) {
  return { channel: body.channel?.id ?? body.container?.channel_id ?? '', user: body.user.id };
}

/** "Post user notification": the DistroCV user notification to the catalog's user-facing channel. */
export function userNotifyAction(w: WebServices) {
  return async function handleUserNotify({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const auth = await authorize(w, action.value ?? '', user);
    if ('refusal' in auth) return w.poster.ephemeral(channel, user, auth.refusal);
    const { rb } = auth;
    const target = w.catalog.userChannel;
    if (!target || rb.state !== 'succeeded') return w.poster.ephemeral(channel, user, target ? `${rb.id} did not succeed: users should not be told all systems are operational.` : 'No `userChannel` is configured in the catalog.');
    const problem = await once(w, `usernote:${rb.id}`, async () => {
      await w.poster.post(target, { text: await render(w, 'userNotification', rb) });
      await recordFollowUp(w, rb.id, 'userNotified', user, `User notification posted to <#${target}> by <@${user}>`);
      return undefined;
    });
    if (problem) return w.poster.ephemeral(channel, user, `:warning: User notification not posted: ${problem}`);
    await threadLine(w, rb, `:mega: <@${user}> posted the user notification to <#${target}>.`);
    await refreshFollowUp(w, rb.id);
  };
}

/** "Update status page": the status-page text to the configured webhook, token from the environment. */
export function statusPageAction(w: WebServices, env: NodeJS.ProcessEnv) {
  return async function handleStatusPage({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const auth = await authorize(w, action.value ?? '', user);
    if ('refusal' in auth) return w.poster.ephemeral(channel, user, auth.refusal);
    const { rb } = auth;
    const cfg = w.catalog.statusPage;
    if (!cfg) return w.poster.ephemeral(channel, user, 'No `statusPage` webhook is configured in the catalog.');
    const text = await render(w, 'statusPage', rb);
    const problem = await once(w, `statuspage:${rb.id}`, async () => {
      const res = await postStatusPage(cfg, env, statusPagePayload(rb, text));
      if (!res.ok) return res.message;
      await recordFollowUp(w, rb.id, 'statusPage', user, `Status page updated by <@${user}>: ${text}`);
      return undefined;
    });
    if (problem) return w.poster.ephemeral(channel, user, `:warning: Status page not updated: ${problem}`);
    await threadLine(w, rb, `:globe_with_meridians: <@${user}> updated the status page: ${text}`);
    await refreshFollowUp(w, rb.id);
  };
}

/** "Post-mortem scheduled": stops the reminder; anyone in the war room may say so, and it is audited. */
export function postMortemScheduledAction(w: WebServices) {
  return async function handleScheduled({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const rb = await w.store.get(action.value ?? '');
    if (!rb) return w.poster.ephemeral(channel, user, `No rollback ${action.value}.`);
    if (!(await recordFollowUp(w, rb.id, 'postMortemScheduled', user, `Post-mortem marked scheduled by <@${user}>`))) {
      const by = (await w.store.get(rb.id))?.followUp?.postMortemScheduled;
      return w.poster.ephemeral(channel, user, `The post-mortem for ${rb.id} was already marked scheduled${by ? ` by <@${by.user}>` : ''}.`);
    }
    await threadLine(w, rb, `:calendar: <@${user}> marked the post-mortem for ${rb.id} as scheduled; no reminder will be sent.`);
    await refreshFollowUp(w, rb.id);
  };
}
