import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Rollback } from '../src/domain/rollback.js';
import { isApprover } from '../src/policy/quorum.js';
import { authorityOf } from '../src/service/authority.js';
import { threadLine } from '../src/service/cards.js';
import { recordFollowUp, refreshFollowUp } from '../src/service/follow-up.js';
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

function where(body: BlockButtonAction) {
  return { channel: body.channel?.id ?? body.container?.channel_id ?? '', user: body.user.id };
}

/** "Post user notification": the worker posts the DistroCV user notification to the catalog's user-facing channel. */
export function userNotifyAction(w: WebServices) {
  return async function handleUserNotify({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const auth = await authorize(w, action.value ?? '', user);
    if ('refusal' in auth) return w.poster.ephemeral(channel, user, auth.refusal);
    const { rb } = auth;
    const target = w.catalog.userChannel;
    if (!target || rb.state !== 'succeeded') return w.poster.ephemeral(channel, user, target ? `${rb.id} did not succeed: users should not be told all systems are operational.` : 'No `userChannel` is configured in the catalog.');
    if (rb.followUp?.userNotified) return w.poster.ephemeral(channel, user, `Already done by <@${rb.followUp.userNotified.user}>: see the thread.`);
    await w.jobs.followUp({ id: rb.id, kind: 'userNotified', user, channel });
  };
}

/** "Update status page": the worker sends the status-page text to the configured webhook, token from its environment. */
export function statusPageAction(w: WebServices) {
  return async function handleStatusPage({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const auth = await authorize(w, action.value ?? '', user);
    if ('refusal' in auth) return w.poster.ephemeral(channel, user, auth.refusal);
    const { rb } = auth;
    if (!w.catalog.statusPage) return w.poster.ephemeral(channel, user, 'No `statusPage` webhook is configured in the catalog.');
    if (rb.followUp?.statusPage) return w.poster.ephemeral(channel, user, `Already done by <@${rb.followUp.statusPage.user}>: see the thread.`);
    await w.jobs.followUp({ id: rb.id, kind: 'statusPage', user, channel });
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
