import { formatDuration } from '../src/domain/duration.js';
import type { Rollback } from '../src/domain/rollback.js';
import type { TimelineEvent } from '../src/domain/timeline.js';
import { hhmm, stateLabel } from '../src/slack/blocks.js';

/** `/rollback status RB-n`: the record and its audit trail (who did what, when), readable in an ephemeral message. */
export function statusText(rb: Rollback, timeline: TimelineEvent[]): string {
  const lines = [
    `*${rb.id}* · ${rb.service} ${rb.environment} · ${stateLabel(rb.state)}${rb.finishedAt ? ` after ${formatDuration(Date.parse(rb.finishedAt) - Date.parse(rb.createdAt))}` : ''}`,
    `Requested by <@${rb.requestedBy}>: ${rb.reason || '_no reason given_'}`,
  ];
  const { severity, scenario, override } = rb.policy ?? {};
  if (severity) lines.push(`Severity: ${severity.id} ${severity.label}${scenario ? ` · ${scenario.title}` : ''}`);
  if (override) lines.push(`Override of the fix-forward advice: ${override}`);
  if (rb.plan) lines.push(`Change: \`${rb.plan.current}\` → \`${rb.plan.target}\``);
  if (rb.error) lines.push(`:x: ${rb.error.name}: ${rb.error.message}${rb.error.hint ? `\nWhat you can do: ${rb.error.hint}` : ''}`);
  const shown = timeline.slice(-40);
  lines.push(
    `*Audit trail* (UTC${shown.length < timeline.length ? `, last ${shown.length} of ${timeline.length}` : ''}; on ${rb.createdAt.slice(0, 10)})`,
    ...shown.map((e) => `\`${hhmm(e.at)}\` ${e.message}`),
  );
  return lines.join('\n');
}
