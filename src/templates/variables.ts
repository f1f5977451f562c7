import { formatDuration } from '../domain/duration.js';
import type { Rollback } from '../domain/rollback.js';
import { frozenTargets, unfreezeCommand } from '../domain/freeze.js';
import type { TimelineEvent } from '../domain/timeline.js';
import { checksRan, componentList } from './components.js';
import { timelineTable } from './timeline-table.js';

/**
 * The variables every template may use, as `{name}`. This list is the documentation the catalog's
 * `templates:` refer to, and start-up refuses a template naming anything else.
 */
export const TEMPLATE_VARIABLES = {
  product: "the target's or stack's `product`, else the catalog's (default: the service name)",
  rollback_id: 'e.g. RB-12',
  service: 'the service, e.g. api',
  environment: 'the environment, e.g. production',
  version:
    'the version rolled back from (`v2.0.1`, `distrocv-api:42`); for a target without releases, what the rollback left in place (`NewMatchingAlgorithm set to "false"`, `distrocv-prod restored to … as …`, the command run)',
  previous_version: 'the version rolled back to',
  brief_reason: 'the reason given with the request, and the override of a fix-forward advice when there is one',
  user_impact: 'what users saw (a prompt to fill in until someone does)',
  timestamp: 'when the rollback was requested, `2026-01-22 10:00 UTC`',
  date: 'the day of the request, `2026-01-22`',
  started_at: 'when it was requested, `10:00 UTC`',
  finished_at: 'when it finished, `10:04 UTC` (or `still running`)',
  status: '`in progress`, `completed`, `failed`, or the state name',
  status_sentence: 'the state in a sentence: `A rollback of DistroCV has been completed.`, `... has failed ...`, `A rollback has been initiated for DistroCV.`',
  duration: 'request to finish, e.g. `4m 12s`',
  rto: 'the recovery time objective, e.g. `15m 00s`',
  rto_verdict: '`within the 15m 00s RTO` or `over the 15m 00s RTO`',
  severity: '`P0 (Critical)`, or `unclassified`',
  scenario: 'the decision-matrix scenario, e.g. `Complete platform outage`, or `not classified`',
  rollback_type: "the matrix's recommended rollback type, e.g. `Frontend only`",
  estimate: "the matrix's time estimate, e.g. `5m 00s`",
  override_reason: 'why the requester rolled back against a fix-forward advice, or `none`',
  requester: 'the requester as a Slack mention',
  requester_name: "the requester's name (for files and user-facing text)",
  approvers: 'approvers as Slack mentions',
  approver_names: "approvers' names",
  error: 'why it failed, or `none`',
  summary: 'two or three sentences on what happened, from the record',
  components: 'one line per component of a stack with where it is now (for a plain rollback, its one target)',
  timeline_table: 'a Markdown table of the recorded timeline (post-mortem)',
  deploy_freeze: 'the deploy freeze a succeeded rollback set on what it changed, and how to lift it; or `none`',
  incident_status: 'a status-page sentence: resolved, or investigating while it is not',
  list_of_actions_for_team: 'what the team should do now',
  post_mortem_deadline: 'when the post-mortem is due, `2026-01-24 10:00 UTC`',
  post_mortem_schedule: '`Post-mortem within 48 hours (by …)`',
  your_name: 'who sends it: Rewind, for the requester',
} as const satisfies Record<string, string>;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;

export interface TemplateContext {
  product: string;
  rtoMs: number;
  postMortemWithinMs: number;
  /** The recorded timeline, for `{timeline_table}` and `{summary}`. */
  timeline?: readonly TimelineEvent[];
  /** Slack user id → name, for plain-text names; unknown ids stay ids. */
  names?: Readonly<Record<string, string>>;
}

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

const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function summary(rb: Rollback, product: string, took: string, verdict: string): string {
  const change = rb.plan?.result ?? `from ${versionLabel(rb.plan?.current)} to ${versionLabel(rb.plan?.target)}`;
  const what = `A rollback of ${product} ${rb.service} ${rb.environment} (${change}) was requested at ${minute(rb.createdAt)} (${rb.reason || 'no reason given'}).`;
  if (rb.state === 'succeeded')
    return `${what} It completed in ${took}, ${verdict}${checksRan(rb) ? ', and passed its post-rollback checks' : '; no post-rollback check was configured'}.`;
  if (rb.state === 'failed') return `${what} It failed after ${took}: ${rb.error?.name ?? 'Error'}: ${rb.error?.message ?? 'see the timeline'}.`;
  return `${what} It is ${STATUS[rb.state] ?? rb.state.replace('_', ' ')}.`;
}

/** The notification's opening line, true to the state it is sent in. */
function statusSentence(rb: Rollback, product: string): string {
  switch (rb.state) {
    case 'succeeded':
      return `A rollback of ${product} has been completed.`;
    case 'failed':
      return rb.startedAt
        ? `A rollback of ${product} has failed and may have stopped part-way; the thread says what is left.`
        : `A rollback of ${product} was not started: it could not be planned.`;
    case 'approved':
    case 'running':
    case 'verifying':
      return `A rollback has been initiated for ${product}.`;
    default:
      return `A rollback of ${product} was requested and is ${rb.state.replace('_', ' ')}.`;
  }
}

/** The reason, and beside it the override's why when the requester gave both. */
function briefReason(rb: Rollback): string {
  const override = rb.policy?.override;
  const reason = rb.reason || 'not given';
  return override && override !== rb.reason ? `${reason} (override of the fix-forward advice: ${override})` : reason;
}

/** What the rollback froze, from the record: a success holds deploys to what it changed until an approver lifts it. */
function deployFreeze(rb: Rollback): string {
  const targets = frozenTargets(rb);
  if (!targets.length) return 'none: this rollback holds no deploys (it did not succeed, or only switched flags)';
  const since = minute(rb.finishedAt ?? rb.updatedAt);
  return targets
    .map(
      (t) => `- Deploys to ${t.service} ${t.environment} held since ${since} (fix forward first); lifted with \`${unfreezeCommand(t.service, t.environment)}\``,
    )
    .join('\n');
}

/** Every variable of TEMPLATE_VARIABLES for one rollback. */
export function templateVariables(rb: Rollback, ctx: TemplateContext): Record<TemplateVariable, string> {
  const name = (id: string) => ctx.names?.[id] ?? id;
  const created = Date.parse(rb.createdAt);
  const finished = rb.finishedAt ? Date.parse(rb.finishedAt) : undefined;
  const took = finished !== undefined ? formatDuration(finished - created) : 'still running';
  const rto = formatDuration(ctx.rtoMs);
  const verdict = `${finished !== undefined && finished - created > ctx.rtoMs ? 'over' : 'within'} the ${rto} RTO`;
  const deadline = minute(new Date(created + ctx.postMortemWithinMs).toISOString());
  const policy = rb.policy;
  const approvers = rb.approvals.map((a) => a.user);
  return {
    product: ctx.product,
    rollback_id: rb.id,
    service: rb.service,
    environment: rb.environment,
    version: rb.plan?.result ?? versionLabel(rb.plan?.current),
    previous_version: versionLabel(rb.plan?.target),
    brief_reason: briefReason(rb),
    user_impact: 'being assessed; reply in the thread with what users saw',
    timestamp: minute(rb.createdAt),
    date: rb.createdAt.slice(0, 10),
    started_at: `${rb.createdAt.slice(11, 16)} UTC`,
    finished_at: rb.finishedAt ? `${rb.finishedAt.slice(11, 16)} UTC` : 'still running',
    status: STATUS[rb.state] ?? rb.state,
    status_sentence: statusSentence(rb, ctx.product),
    duration: took,
    rto,
    rto_verdict: verdict,
    severity: policy?.severity ? `${policy.severity.id} (${policy.severity.label})` : 'unclassified',
    scenario: policy?.scenario?.title ?? 'not classified',
    rollback_type: policy?.scenario?.rollbackType ?? 'not set',
    estimate: policy?.scenario?.estimateMs !== undefined ? formatDuration(policy.scenario.estimateMs) : 'not set',
    override_reason: policy?.override ?? 'none',
    requester: `<@${rb.requestedBy}>`,
    requester_name: name(rb.requestedBy),
    approvers: approvers.map((u) => `<@${u}>`).join(', ') || 'nobody yet',
    approver_names: approvers.map(name).join(', ') || 'nobody yet',
    error: rb.error ? `${rb.error.name}: ${rb.error.message}` : 'none',
    summary: summary(rb, ctx.product, took, verdict),
    components: componentList(rb, STATUS[rb.state] ?? rb.state),
    timeline_table: timelineTable(ctx.timeline ?? [], name),
    deploy_freeze: deployFreeze(rb),
    incident_status:
      rb.state === 'succeeded'
        ? `Resolved: we rolled back a faulty change to ${ctx.product}; all systems are operational and we are monitoring.`
        : 'Investigating issues, remediation in progress.',
    list_of_actions_for_team:
      rb.state === 'failed'
        ? '- Stop deploys to this service until the rollback is resolved\n- Follow the next steps in the rollback thread'
        : '- Hold deploys to this service until the root cause is fixed\n- Watch error rates and latency for the next 30 minutes',
    post_mortem_deadline: deadline,
    post_mortem_schedule: `Post-mortem within ${Math.round(ctx.postMortemWithinMs / 3600_000)} hours (by ${deadline})`,
    your_name: `Rewind, for <@${rb.requestedBy}>`,
  };
}
