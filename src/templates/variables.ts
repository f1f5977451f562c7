import type { Rollback } from '../domain/rollback.js';
import { formatDuration } from '../domain/duration.js';

const STATUS: Partial<Record<Rollback['state'], string>> = {
  succeeded: 'completed',
  failed: 'failed',
  running: 'in progress',
  verifying: 'in progress',
  approved: 'in progress',
};

/** `2.0.1` → `v2.0.1`; names and ARNs stay as they are. */
function versionLabel(label: string | undefined): string {
  if (!label) return 'unknown';
  return /^\d/.test(label) ? `v${label}` : label;
}

const POST_MORTEM_WITHIN_MS = 48 * 3600_000;

/** The variables every template may use (documented in the README). */
export function templateVariables(rb: Rollback, product: string): Record<string, string> {
  const finished = rb.finishedAt ? Date.parse(rb.finishedAt) : undefined;
  const deadline = new Date(Date.parse(rb.createdAt) + POST_MORTEM_WITHIN_MS).toISOString();
  return {
    product,
    rollback_id: rb.id,
    service: rb.service,
    environment: rb.environment,
    version: versionLabel(rb.plan?.current),
    previous_version: versionLabel(rb.plan?.target),
    brief_reason: rb.reason || 'not given',
    user_impact: 'being assessed; reply in the thread with what users saw',
    timestamp: `${rb.createdAt.slice(0, 16).replace('T', ' ')} UTC`,
    status: STATUS[rb.state] ?? rb.state,
    duration: finished ? formatDuration(finished - Date.parse(rb.createdAt)) : 'still running',
    requester: `<@${rb.requestedBy}>`,
    approvers: rb.approvals.map((a) => `<@${a.user}>`).join(', ') || 'nobody yet',
    list_of_actions_for_team:
      rb.state === 'failed'
        ? '- Stop deploys to this service until the rollback is resolved\n- Follow the next steps in the rollback thread'
        : '- Hold deploys to this service until the root cause is fixed\n- Watch error rates and latency for the next 30 minutes',
    post_mortem_schedule: `Post-mortem within 48 hours (by ${deadline.slice(0, 16).replace('T', ' ')} UTC)`,
    your_name: `Rewind, for ${`<@${rb.requestedBy}>`}`,
  };
}
