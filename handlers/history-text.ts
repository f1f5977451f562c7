import { formatDuration } from '../src/domain/duration.js';
import type { Rollback } from '../src/domain/rollback.js';
import { stateLabel } from '../src/slack/blocks.js';

/** `/rollback history [service]`: recent rollbacks, newest first, with outcome and duration. */
export function historyText(rollbacks: readonly Rollback[], service: string | undefined, now: Date, limit = 15): string {
  const shown = rollbacks.filter((rb) => !service || rb.service === service).slice(0, limit);
  const scope = service ? ` of ${service}` : '';
  if (shown.length === 0) return `No rollbacks${scope} yet. \`/rollback help\` shows how to start one.`;
  const lines = shown.map((rb) => {
    const end = rb.finishedAt ? Date.parse(rb.finishedAt) : now.getTime();
    const took = `${rb.finishedAt ? '' : 'open for '}${formatDuration(end - Date.parse(rb.createdAt))}`;
    const sev = rb.policy?.severity ? ` · ${rb.policy.severity.id}` : '';
    const change = rb.plan ? ` · \`${rb.plan.current}\` → \`${rb.plan.target}\`` : '';
    return `*${rb.id}* ${rb.createdAt.slice(0, 16).replace('T', ' ')} UTC · ${rb.service} ${rb.environment} · ${stateLabel(rb.state)} · ${took}${sev}${change} · <@${rb.requestedBy}>`;
  });
  return [`*Recent rollbacks${scope}* (newest first; \`/rollback status RB-n\` shows one with its audit trail)`, ...lines].join('\n');
}
