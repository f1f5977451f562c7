import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { approve, close } from '../src/service/requests.js';
import { refreshCard, threadLine } from '../src/service/cards.js';
import { stateLabel } from '../src/slack/blocks.js';
import type { WebServices } from './context.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

function where(body: BlockButtonAction) {
  return { channel: body.channel?.id ?? body.container?.channel_id ?? '', user: body.user.id };
}

export function approveAction(w: WebServices) {
  return async function handleApprove({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const outcome = await approve(w, action.value ?? '', user);
    switch (outcome.kind) {
      case 'missing':
        return w.poster.ephemeral(channel, user, `No rollback ${action.value}; it may have been removed.`);
      case 'not_pending':
        return w.poster.ephemeral(channel, user, `${outcome.rollback.id} is ${stateLabel(outcome.rollback.state)}: there is nothing to approve.`);
      case 'refused':
        return w.poster.ephemeral(channel, user, `:no_entry: ${outcome.message}`);
      case 'recorded':
        await threadLine(w, outcome.rollback, `:ballot_box_with_check: <@${user}> approved; ${outcome.missing} more approval${outcome.missing === 1 ? '' : 's'} needed.`);
        return refreshCard(w, outcome.rollback.id);
      case 'approved':
        await w.jobs.execute(outcome.rollback.id);
        await threadLine(w, outcome.rollback, `:white_check_mark: <@${user}> approved; the rule is met and execution is starting.`);
        return refreshCard(w, outcome.rollback.id);
    }
  };
}

function closeAction(w: WebServices, how: 'cancelled' | 'rejected') {
  return async function handleClose({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const outcome = await close(w, action.value ?? '', user, how);
    switch (outcome.kind) {
      case 'missing':
        return w.poster.ephemeral(channel, user, `No rollback ${action.value}.`);
      case 'refused':
        return w.poster.ephemeral(channel, user, `:no_entry: ${outcome.message}`);
      case 'too_late':
        return w.poster.ephemeral(channel, user, `${outcome.rollback.id} is already ${stateLabel(outcome.rollback.state)}; it can no longer be ${how}.`);
      case 'closed':
        await threadLine(w, outcome.rollback, `:no_entry_sign: <@${user}> ${how} ${outcome.rollback.id}. The target is unlocked.`);
        return refreshCard(w, outcome.rollback.id);
    }
  };
}

export const rejectAction = (w: WebServices) => closeAction(w, 'rejected');
export const cancelAction = (w: WebServices) => closeAction(w, 'cancelled');
