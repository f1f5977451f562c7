import type { AllMiddlewareArgs, BlockStaticSelectAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { parseRollbackForm, type FormErrors } from '../commands/form.js';
import { serviceTarget } from '../src/config/catalog.js';
import type { RefusalCode } from '../src/domain/refusal.js';
import { requestRollback } from '../src/rollbacks/request.js';
import { FIELD, readRequestForm, VIEW_REQUEST, viewMetadata } from '../src/slack/modal.js';
import { pickedForOtherTarget } from '../src/slack/modal-versions.js';
import { claimOnce, releaseOnce } from '../src/store/once.js';
import type { WebServices } from './context.js';
import { refusalFieldText } from '../src/slack/refusal.js';
import { createdText } from '../src/warroom/reply.js';

export { modalChoices } from '../src/slack/modal-choices.js';

type TargetArgs = SlackActionMiddlewareArgs<BlockStaticSelectAction> & AllMiddlewareArgs;

/**
 * A target chosen in the open form: the worker reads its version history and fills the
 * version field (views.update with this view's hash, so a form changed meanwhile wins).
 */
export function targetChosen(w: WebServices) {
  return async function handleTargetChosen({ ack, action, body }: TargetArgs) {
    await ack();
    const view = body.view;
    if (!view || view.callback_id !== VIEW_REQUEST) return;
    const [service = '', environment = ''] = action.selected_option.value.split('/');
    if (!serviceTarget(w.catalog, service, environment)) return;
    const channel = viewMetadata(view.private_metadata).channel ?? w.catalog.warRoom;
    await w.jobs.versions({ service, environment, user: body.user.id, channel, view: { id: view.id, hash: view.hash } });
  };
}

type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Which form field a refusal of the matrix belongs to. */
const REFUSAL_FIELD: Partial<Record<RefusalCode, keyof FormErrors>> = {
  needs_override: 'override',
  missing_role: 'scenario',
  unknown_scenario: 'scenario',
  unknown_severity: 'severity',
};

/**
 * The request form's submission: validated like the slash command, then the same
 * requestRollback → plan job path. Problems go back into the form (`response_action: 'errors'`).
 */
export function requestSubmission(w: WebServices) {
  return async function handleRequestSubmission({ ack, view, body }: SubmitArgs) {
    const user = body.user.id;
    const form = readRequestForm(view.state.values);
    const parsed = parseRollbackForm(form, w.catalog);
    const fail = (errors: FormErrors) => ack({ response_action: 'errors', errors: errors as Record<string, string> });
    const stale = pickedForOtherTarget(view.state.values[FIELD.version], form.target);
    if ('errors' in parsed || stale) return fail({ ...('errors' in parsed ? parsed.errors : {}), ...(stale ? { version: stale } : {}) });
    // A retried submission of the same form must not ask twice.
    const claim = `view:${view.id}`;
    if (!(await claimOnce(w.redis, w.prefix, claim, 3600))) return ack();
    const channel = viewMetadata(view.private_metadata).channel ?? w.catalog.warRoom;
    const outcome = await requestRollback(w, {
      service: parsed.service,
      environment: parsed.environment,
      version: parsed.version,
      reason: parsed.reason,
      user,
      origin: { channel },
      classification: parsed.classification,
      checklist: parsed.checklist,
      ...(parsed.stack ? { stack: true } : {}),
    });
    if ('refusal' in outcome) {
      await releaseOnce(w.redis, w.prefix, claim);
      return fail({ [REFUSAL_FIELD[outcome.refusal.code] ?? 'target']: refusalFieldText(outcome.refusal) });
    }
    await ack();
    await w.jobs.plan(outcome.rollback.id);
    await w.poster.ephemeral(channel, user, createdText(w, outcome.rollback.id, parsed.service, parsed.environment));
  };
}
