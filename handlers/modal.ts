import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { parseRollbackForm, type FormErrors } from '../commands/form.js';
import type { Catalog } from '../src/config/catalog.js';
import { checklistOf } from '../src/policy/checklist.js';
import { adviceOf, adviceText, decisionMatrix } from '../src/policy/matrix.js';
import { requestRollback } from '../src/service/requests.js';
import { groupsText, recommendation } from '../src/slack/matrix.js';
import { readRequestForm, viewMetadata, type ModalChoices } from '../src/slack/modal.js';
import { keys } from '../src/store/keys.js';
import { claimOnce } from '../src/store/once.js';
import type { WebServices } from './context.js';
import { createdText, notCreatedText } from './request-reply.js';

/** The form's choices from the catalog: its targets, the decision matrix, the checklist. */
export function modalChoices(catalog: Catalog): ModalChoices {
  const m = decisionMatrix(catalog);
  return {
    targets: Object.entries(catalog.services).flatMap(([service, envs]) => Object.keys(envs).map((environment) => ({ service, environment }))),
    scenarios: Object.entries(m.scenarios).map(([id, row]) => ({
      id,
      title: row.title,
      severity: row.severity,
      approve: groupsText(row.require ?? m.severities[row.severity]?.require ?? []),
      recommendation: recommendation(row),
    })),
    severities: Object.entries(m.severities).map(([id, s]) => ({ id, label: s.label, advice: adviceText(adviceOf(s)).toLowerCase() })),
    checklist: checklistOf(catalog),
  };
}

type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Which form field a refusal of the matrix belongs to. */
const REFUSAL_FIELD = { needs_override: 'override', missing_role: 'scenario', unknown_scenario: 'scenario', unknown_severity: 'severity' } as const;

/**
 * The request form's submission: validated like the slash command, then the same
 * requestRollback → plan job path. Problems go back into the form (`response_action: 'errors'`).
 */
export function requestSubmission(w: WebServices) {
  return async function handleRequestSubmission({ ack, view, body }: SubmitArgs) {
    const user = body.user.id;
    const parsed = parseRollbackForm(readRequestForm(view.state.values), w.catalog);
    const fail = (errors: FormErrors) => ack({ response_action: 'errors', errors: errors as Record<string, string> });
    if ('errors' in parsed) return fail(parsed.errors);
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
    });
    if (outcome.kind !== 'created') {
      await w.redis.del(keys(w.prefix).once(claim));
      const field = outcome.kind === 'refused' ? REFUSAL_FIELD[outcome.reason] : 'target';
      return fail({ [field]: notCreatedText(w, parsed.service, parsed.environment, outcome).replace(/^:no_entry: /, '').replace(/\*/g, '') });
    }
    await ack();
    await w.jobs.plan(outcome.rollback.id);
    await w.poster.ephemeral(channel, user, createdText(w, outcome.rollback.id, parsed.service, parsed.environment));
  };
}
