import { serviceTarget, type Catalog } from '../src/config/catalog.js';
import { checklistOf, unchecked } from '../src/policy/checklist.js';
import type { Classification } from '../src/policy/matrix.js';
import { STACK_PREFIX, type RequestForm } from '../src/domain/request-form.js';
import { stackOf } from '../src/config/stacks.js';
import { versionSchema } from './grammar.js';

/** The request form, validated like the slash command: the same names, the same version rule. */
export type FormCommand = {
  kind: 'rollback';
  service: string;
  environment: string;
  version?: string;
  reason: string;
  classification: Classification;
  checklist: string[];
  /** `service` names a catalog stack. */
  stack?: true;
};

/** Errors keyed by the form's block ids, as `response_action: 'errors'` wants them. */
export type FormErrors = Partial<Record<Exclude<keyof RequestForm, 'checked'> | 'checklist', string>>;

export function parseRollbackForm(form: RequestForm, catalog: Catalog): FormCommand | { errors: FormErrors } {
  const errors: FormErrors = {};
  const stack = (form.target ?? '').startsWith(STACK_PREFIX);
  const [service = '', environment = ''] = (form.target ?? '').slice(stack ? STACK_PREFIX.length : 0).split('/');
  const known = stack ? stackOf(catalog, service, environment) : serviceTarget(catalog, service, environment);
  if (!known) errors.target = 'Choose a service, or a stack, and its environment from the list.';
  if (stack && form.version) errors.version = 'A stack takes each component back to its previous version: leave the version empty.';
  if (!form.scenario) errors.scenario = 'Choose what happened; the matrix decides who approves from it.';
  if (!form.reason) errors.reason = 'Say why: it goes on the card and into the audit trail.';
  if (form.version && !versionSchema.safeParse(form.version).success) {
    errors.version = 'Use a revision number, tag or name made of letters, digits and . : / _ @ + -, or leave it empty for the previous version.';
  }
  const items = checklistOf(catalog);
  const confirmed = items.filter((_, i) => form.checked.includes(i));
  const open = unchecked(items, confirmed);
  if (open.length) errors.checklist = `Confirm every item before asking; not yet: ${open.join('; ')}.`;
  if (Object.keys(errors).length) return { errors };
  return {
    kind: 'rollback',
    service,
    environment,
    ...(form.version ? { version: form.version } : {}),
    reason: form.reason!.slice(0, 500),
    classification: { scenario: form.scenario, ...(form.severity ? { severity: form.severity } : {}), ...(form.override ? { override: form.override } : {}) },
    checklist: confirmed,
    ...(stack ? { stack: true as const } : {}),
  };
}
