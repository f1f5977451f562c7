import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { approve, boundTo, close, mayClose, readButtonValue, type CloseOutcome } from '../src/service/requests.js';
import { refreshCard } from '../src/service/cards.js';
import { failpoint } from '../src/failpoint.js';
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
    const { id, nonce } = readButtonValue(action.value);
    const outcome = await approve(w, id, user, nonce);
    switch (outcome.kind) {
      case 'missing':
        return w.poster.ephemeral(channel, user, missingText(id));
      case 'not_pending':
        return w.poster.ephemeral(channel, user, `${outcome.rollback.id} is ${stateLabel(outcome.rollback.state)}: there is nothing to approve.`);
      case 'refused':
        return w.poster.ephemeral(channel, user, `:no_entry: ${outcome.message}`);
      case 'recorded':
        return refreshCard(w, outcome.rollback.id);
      case 'approved':
        // A crash before this enqueue is caught by the reconciler, which gives every approved rollback its job.
        failpoint('approve-written');
        await w.jobs.execute(outcome.rollback.id);
        return refreshCard(w, outcome.rollback.id);
    }
  };
}

/** No such record, or the card belongs to an earlier record with the same id (Redis lost its data). */
function missingText(id: string): string {
  return `Rewind has no record of the rollback this card shows (${id}); it may have been removed, or Redis lost its data. Nothing was done: ask again with \`/rollback\` if it is still needed.`;
}

/** Why a cancel or reject did not happen, for the person who clicked. */
function refusalText(outcome: Exclude<CloseOutcome, { kind: 'closed' }>, id: string, how: 'cancelled' | 'rejected'): string {
  switch (outcome.kind) {
    case 'missing':
      return missingText(id);
    case 'refused':
      return `:no_entry: ${outcome.message}`;
    case 'too_late':
      return `${outcome.rollback.id} is already ${stateLabel(outcome.rollback.state)}; it can no longer be ${how}.`;
  }
}

export function cancelAction(w: WebServices) {
  return async function handleCancel({ ack, action, body }: Args) {
    await ack();
    const { channel, user } = where(body);
    const { id, nonce } = readButtonValue(action.value);
    const outcome = await close(w, id, user, 'cancelled', undefined, nonce);
    if (outcome.kind !== 'closed') return w.poster.ephemeral(channel, user, refusalText(outcome, id, 'cancelled'));
  };
}

/** Reject asks for a reason first: eligible approvers get a small form, others an explanation. */
export function rejectAction(w: WebServices) {
  return async function handleReject({ ack, action, body, client }: Args) {
    await ack();
    const { channel, user } = where(body);
    const { id, nonce } = readButtonValue(action.value);
    const found = await w.store.get(id);
    const rb = found && boundTo(found, nonce) ? found : undefined;
    const refusal = rb ? await mayClose(w, rb, user, 'rejected') : { kind: 'missing' as const };
    if (!rb || refusal) return w.poster.ephemeral(channel, user, refusalText(refusal ?? { kind: 'missing' }, id, 'rejected'));
    await client.views.open({ trigger_id: body.trigger_id, view: rejectModal(rb, channel) });
  };
}

export function rejectSubmission(w: WebServices) {
  return async function handleRejectSubmission({ ack, view, body }: SubmitArgs) {
    const user = body.user.id;
    const reason = readRejectReason(view.state.values);
    if (!reason) return ack({ response_action: 'errors', errors: { [REJECT_REASON]: 'Say why; it is kept in the audit trail.' } });
    const { id = '', nonce } = viewMetadata(view.private_metadata);
    const outcome = await close(w, id, user, 'rejected', reason, nonce);
    if (outcome.kind !== 'closed') return ack({ response_action: 'errors', errors: { [REJECT_REASON]: refusalText(outcome, id, 'rejected').replace(/^:no_entry: /, '') } });
    await ack();
  };
}
