import { ROLLBACK_ID } from '../src/domain/rollback.js';
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { alreadyDone, followUpRecord, markPostMortemScheduled } from '../src/rollbacks/follow-up.js';
import { refusalLine } from '../src/slack/refusal.js';
import type { WebServices } from './context.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

function where(body: BlockButtonAction) {
  return { channel: body.channel?.id ?? body.container?.channel_id ?? '', user: body.user.id };
}

/** "Post user notification": the worker posts the DistroCV user notification to the catalog's user-facing channel. */
export function userNotifyAction(w: WebServices) {
  return async function handleUserNotify({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const found = await followUpRecord(w, action.value ?? '', user);
    if ('refusal' in found) return w.poster.ephemeral(channel, user, refusalLine(found.refusal));
    const rb = found.rollback;
    const target = w.catalog.userChannel;
    if (!target) return w.poster.ephemeral(channel, user, 'No `userChannel` is configured in the catalog, so Rewind has nowhere to post it.');
    if (rb.state !== 'succeeded') return w.poster.ephemeral(channel, user, `${rb.id} did not succeed: users should not be told all systems are operational.`);
    if (rb.followUp?.userNotified) return w.poster.ephemeral(channel, user, refusalLine(alreadyDone(rb, 'userNotified', rb.followUp.userNotified)));
    await w.jobs.followUp({ id: rb.id, kind: 'userNotified', user, channel });
  };
}

/**
 * "Update status page" (`statusPage`, next steps) and "Post "Investigating"" (`investigating`, at
 * the start): the worker sends the status-page text to the configured webhook, token from its environment.
 */
export function statusPageAction(w: WebServices, kind: 'investigating' | 'statusPage') {
  return async function handleStatusPage({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const found = await followUpRecord(w, action.value ?? '', user);
    if ('refusal' in found) return w.poster.ephemeral(channel, user, refusalLine(found.refusal));
    const rb = found.rollback;
    if (!w.catalog.statusPage) return w.poster.ephemeral(channel, user, 'No `statusPage` webhook is configured in the catalog.');
    // "Investigating" is moot once the end's update is out.
    const earlier = rb.followUp?.[kind] ?? (kind === 'investigating' ? rb.followUp?.statusPage : undefined);
    if (earlier) return w.poster.ephemeral(channel, user, refusalLine(alreadyDone(rb, kind, earlier)));
    if (kind === 'investigating' && rb.state === 'succeeded')
      return w.poster.ephemeral(channel, user, `${rb.id} has succeeded: press *Update status page* under its next steps to post "Resolved" instead.`);
    await w.jobs.followUp({ id: rb.id, kind, user, channel });
  };
}

/** "Kill stuck deployment" under a stuck ECS rollback: files the forced deployment as a new request (the worker checks it is stuck). */
export function killStuckAction(w: WebServices) {
  return async function handleKillStuck({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const id = action.value ?? '';
    if (!ROLLBACK_ID.test(id))
      return w.poster.ephemeral(channel, user, `This button does not name a rollback ("${id.slice(0, 20)}"): type \`/rollback kill-stuck RB-12\`.`);
    await w.jobs.killStuck(body.trigger_id, { id, reason: 'stuck deployment (button)', user, channel });
  };
}

/** "Post-mortem scheduled": stops the reminder; anyone in the war room may say so, and it is audited. */
export function postMortemScheduledAction(w: WebServices) {
  return async function handleScheduled({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const marked = await markPostMortemScheduled(w, action.value ?? '', user);
    if ('refusal' in marked) return w.poster.ephemeral(channel, user, refusalLine(marked.refusal));
  };
}
