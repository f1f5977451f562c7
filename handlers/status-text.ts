import type { Rollback } from '../src/domain/rollback.js';
import type { TimelineEvent } from '../src/domain/timeline.js';
import { hhmm, stateLabel } from '../src/slack/blocks.js';

/** `/rollback status RB-n`: the record and its timeline, readable in an ephemeral message. */
export function statusText(rb: Rollback, timeline: TimelineEvent[]): string {
  const lines = [
    `*${rb.id}* · ${rb.service} ${rb.environment} · ${stateLabel(rb.state)}`,
    `Requested by <@${rb.requestedBy}>: ${rb.reason || '_no reason given_'}`,
  ];
  if (rb.plan) lines.push(`Change: \`${rb.plan.current}\` → \`${rb.plan.target}\``);
  if (rb.error) lines.push(`:x: ${rb.error.name}: ${rb.error.message}${rb.error.hint ? `\nWhat you can do: ${rb.error.hint}` : ''}`);
  lines.push('*Timeline*', ...timeline.slice(-20).map((e) => `\`${hhmm(e.at)}\` ${e.message}`));
  return lines.join('\n');
}
