import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { approve, close, mayClose, type CloseOutcome } from '../src/service/requests.js';
import { refreshCard, threadLine } from '../src/service/cards.js';
import { stateLabel } from '../src/slack/blocks.js';
import { readRejectReason, REJECT_REASON, rejectModal, viewMetadata } from '../src/slack/modal.js';
import type { WebServices } from './context.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

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
        await threadLine(w, outcome.rollback, `:ballot_box_with_check: <@${user}> approved; still needed: ${outcome.missing}.`);
        return refreshCard(w, outcome.rollback.id);
      case 'approved':
        await w.jobs.execute(outcome.rollback.id);
        await threadLine(w, outcome.rollback, `:white_check_mark: <@${user}> approved; the rule is met and execution is starting.`);
        return refreshCard(w, outcome.rollback.id);
    }
  };
}

/** Why a cancel or reject did not happen, for the person who clicked. */
function refusalText(outcome: Exclude<CloseOutcome, { kind: 'closed' }>, id: string, how: 'cancelled' | 'rejected'): string {
  switch (outcome.kind) {
    case 'missing':
      return `No rollback ${id}.`;
    case 'refused':
      return `:no_entry: ${outcome.message}`;
    case 'too_late':
      return `${outcome.rollback.id} is already ${stateLabel(outcome.rollback.state)}; it can no longer be ${how}.`;
  }
}

async function announceClosed(w: WebServices, outcome: Extract<CloseOutcome, { kind: 'closed' }>, user: string, how: 'cancelled' | 'rejected', reason?: string) {
  await threadLine(w, outcome.rollback, `:no_entry_sign: <@${user}> ${how} ${outcome.rollback.id}${reason ? `: ${reason}` : ''}. The target is unlocked.`);
  await refreshCard(w, outcome.rollback.id);
}

export function cancelAction(w: WebServices) {
  return async function handleCancel({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const outcome = await close(w, action.value ?? '', user, 'cancelled');
    if (outcome.kind !== 'closed') return w.poster.ephemeral(channel, user, refusalText(outcome, action.value ?? '', 'cancelled'));
    return announceClosed(w, outcome, user, 'cancelled');
  };
}

/** Reject asks for a reason first: eligible approvers get a small form, others an explanation. */
export function rejectAction(w: WebServices) {
  return async function handleReject({ ack, action, body, client }: Args) {
    await ack();
    const { channel, user } = where(body);
    const rb = await w.store.get(action.value ?? '');
    const refusal = rb ? await mayClose(w, rb, user, 'rejected') : { kind: 'missing' as const };
    if (!rb || refusal) return w.poster.ephemeral(channel, user, refusalText(refusal ?? { kind: 'missing' }, action.value ?? '', 'rejected'));
    await client.views.open({ trigger_id: body.trigger_id, view: rejectModal(rb, channel) });
  };
}

export function rejectSubmission(w: WebServices) {
  return async function handleRejectSubmission({ ack, view, body }: SubmitArgs) {
    const user = body.user.id;
    const reason = readRejectReason(view.state.values);
    if (!reason) return ack({ response_action: 'errors', errors: { [REJECT_REASON]: 'Say why; it is kept in the audit trail.' } });
    const id = viewMetadata(view.private_metadata).id ?? '';
    const outcome = await close(w, id, user, 'rejected', reason);
    if (outcome.kind !== 'closed') return ack({ response_action: 'errors', errors: { [REJECT_REASON]: refusalText(outcome, id, 'rejected').replace(/^:no_entry: /, '') } });
    await ack();
    await announceClosed(w, outcome, user, 'rejected', reason);
  };
}
