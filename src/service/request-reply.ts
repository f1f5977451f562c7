import type { RequestOutcome } from './requests.js';
import { stateLabel } from '../slack/blocks.js';
import type { Services } from './context.js';

/** What the requester is told when a request was not created (busy target, or refused by the matrix). */
export function notCreatedText(s: Services, service: string, environment: string, outcome: Exclude<RequestOutcome, { kind: 'created' }>): string {
  if (outcome.kind === 'refused') return `:no_entry: ${outcome.message}`;
  const h = outcome.holder;
  return h
    ? `:no_entry: ${service} ${environment} is already being rolled back by ${h.id} (${stateLabel(h.state)}, requested by <@${h.requestedBy}>). Follow it in <#${h.card?.channel ?? s.catalog.warRoom}> or \`/rollback status ${h.id}\`; cancel it there first if you need a different plan.`
    : `:no_entry: ${service} ${environment} is locked by ${outcome.holderId}. \`/rollback status ${outcome.holderId}\` shows it.`;
}

export function createdText(s: Services, id: string, service: string, environment: string): string {
  return `:hourglass_flowing_sand: ${id}: reading the live state of ${service} ${environment}; the plan card will appear in <#${s.catalog.warRoom}> for approval.`;
}
