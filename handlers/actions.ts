import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { failpoint } from '../src/failpoint.js';
import { approve } from '../src/rollbacks/approve.js';
import { boundRecord, readButtonValue } from '../src/rollbacks/binding.js';
import { close, mayClose } from '../src/rollbacks/close.js';
import { readRejectReason, REJECT_REASON, rejectModal, viewMetadata } from '../src/slack/modal.js';
import { countedCall } from '../src/slack/counted-client.js';
import { refusalFieldText, refusalLine } from '../src/slack/refusal.js';
import { refreshCard } from '../src/warroom/card.js';
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
    const { id, nonce } = readButtonValue(action.value);
    const vote = await approve(w, id, user, nonce);
    if ('refusal' in vote) return w.poster.ephemeral(channel, user, refusalLine(vote.refusal));
    if (vote.approved) {
      // A crash before this enqueue is caught by the reconciler, which gives every approved rollback its job.
      failpoint('approve-written');
      await w.jobs.execute(vote.rollback.id);
    }
    return refreshCard(w, vote.rollback.id);
  };
}

export function cancelAction(w: WebServices) {
  return async function handleCancel({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const { id, nonce } = readButtonValue(action.value);
    const closed = await close(w, id, user, 'cancel', undefined, nonce);
    if ('refusal' in closed) return w.poster.ephemeral(channel, user, refusalLine(closed.refusal));
  };
}

/** Reject asks for a reason first: eligible approvers get a small form, others an explanation. */
export function rejectAction(w: WebServices) {
  return async function handleReject({ ack, action, body, client }: Args) {
    await ack();
    const { channel, user } = where(body);
    const { id, nonce } = readButtonValue(action.value);
    const bound = await boundRecord(w, id, nonce);
    if ('refusal' in bound) return w.poster.ephemeral(channel, user, refusalLine(bound.refusal));
    const refused = await mayClose(w, bound.rollback, user, 'reject');
    if (refused) return w.poster.ephemeral(channel, user, refusalLine(refused));
    await countedCall(w.metrics, 'views.open', () => client.views.open({ trigger_id: body.trigger_id, view: rejectModal(bound.rollback, channel) }));
  };
}

export function rejectSubmission(w: WebServices) {
  return async function handleRejectSubmission({ ack, view, body }: SubmitArgs) {
    const reason = readRejectReason(view.state.values);
    if (!reason) return ack({ response_action: 'errors', errors: { [REJECT_REASON]: 'Say why; it is kept in the audit trail.' } });
    const { id = '', nonce } = viewMetadata(view.private_metadata);
    const closed = await close(w, id, body.user.id, 'reject', reason, nonce);
    if ('refusal' in closed) return ack({ response_action: 'errors', errors: { [REJECT_REASON]: refusalFieldText(closed.refusal) } });
    await ack();
  };
}
