import type { CheckConfig } from '../config/checks.js';
import type { Plan } from '../domain/rollback.js';
import { displayArgv } from '../exec/run.js';
import type { EscalationContact, VerifyStepInput } from './steps.js';

/** Where to look first for each kind of check. Pure. */
function lookHere(check: CheckConfig): string {
  switch (check.type) {
    case 'http':
      return `check it by hand: curl -i ${check.url}`;
    case 'smoke':
      return `re-run it by hand: ${displayArgv(check.argv)}${check.cwd ? ` (in ${check.cwd})` : ''}`;
    case 'metric': {
      const metrics = check.metric ? [check.metric] : Object.values(check.metrics ?? {});
      return `look at CloudWatch ${metrics.map((m) => `${m.namespace} ${m.name}`).join(', ')} for the last ${Math.round(check.window / 60_000)} minutes`;
    }
  }
}

export function escalateTo(contacts: EscalationContact[]): string {
  if (contacts.length === 0) return 'Escalate to the on-call lead (no `escalation` roles are configured in the catalog).';
  return `Escalate now: ${contacts.map((c) => `${c.role}${c.mentions.length ? ` (${c.mentions.join(' ')})` : ''}`).join(', ')}.`;
}

/** The hint on a failed verification: who to page, where to look, then the rolled-back driver's next step. */
export function verificationHint(input: VerifyStepInput, check: CheckConfig, plan: Plan, next: string): string {
  return [
    escalateTo(input.escalation),
    `Next: the rollback itself ran (${plan.current} → ${plan.target}) but this check still fails; ${lookHere(check)}.`,
    next,
  ].join(' ');
}
