import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../domain/duration.js';
import { stateName, type Component, type ComponentState, type PlanStep, type Rollback, type RollbackState } from '../domain/rollback.js';
import type { StepRecord } from '../domain/timeline.js';

export const ACTION_APPROVE = 'rollback_approve';
export const ACTION_REJECT = 'rollback_reject';
export const ACTION_CANCEL = 'rollback_cancel';

/** `RB-7:<nonce>`: binds a click to the record the card was made for. */
function buttonValue(rb: Rollback): string {
  return rb.nonce ? `${rb.id}:${rb.nonce}` : rb.id;
}

const STATE_EMOJI: Record<RollbackState, string> = {
  requested: ':hourglass_flowing_sand:',
  planned: ':clipboard:',
  awaiting_approval: ':raised_hand:',
  approved: ':white_check_mark:',
  running: ':arrows_counterclockwise:',
  verifying: ':mag:',
  succeeded: ':large_green_circle:',
  failed: ':red_circle:',
  cancelled: ':no_entry_sign:',
  rejected: ':no_entry:',
  expired: ':alarm_clock:',
};

/** The state as Slack shows it: its emoji, then its name. */
export function stateLabel(state: RollbackState): string {
  return `${STATE_EMOJI[state]} ${stateName(state)}`;
}

export interface CardContext {
  rtoMs: number;
  /** The rule in force, e.g. "1 from cto (P0 · Data corruption detected row, in place of the api production rule)". */
  approvalRule: string;
  /** Users who may approve (mentioned on the card). */
  approvers: string[];
  journal: Record<string, StepRecord>;
  now: Date;
  /** When an unanswered request stops accepting approvals. */
  expiresAt?: Date;
  /** After a success: where the deploy freeze on each changed target stands (src/warroom/freeze.ts). */
  freeze?: string[];
}

const STEP_MARK: Record<StepRecord['status'], string> = { started: ':hourglass_flowing_sand:', done: ':white_check_mark:', failed: ':x:' };

/** Clock against the RTO: elapsed since the request, or total once finished. */
export function rtoClock(rb: Rollback, rtoMs: number, now: Date): string {
  const end = rb.finishedAt ? Date.parse(rb.finishedAt) : now.getTime();
  const elapsed = end - Date.parse(rb.createdAt);
  const verdict = elapsed <= rtoMs ? 'within' : '*over*';
  return `${formatDuration(elapsed)} of ${formatDuration(rtoMs)} RTO (${verdict})`;
}

function clip(text: string, max = 2900): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The rollback card: rendered from the record (and journal), never patched by hand. */
export function rollbackCard(rb: Rollback, ctx: CardContext): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Rollback ${rb.id} · ${rb.service} ${rb.environment}`, emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*State*\n${stateLabel(rb.state)}` },
        { type: 'mrkdwn', text: `*Requested by*\n<@${rb.requestedBy}>` },
        { type: 'mrkdwn', text: `*Reason*\n${rb.reason ? clip(rb.reason, 500) : '_none given_'}` },
        { type: 'mrkdwn', text: `*RTO clock*\n${rtoClock(rb, ctx.rtoMs, ctx.now)}` },
      ],
    },
  ];
  const classification = classificationText(rb);
  if (classification) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(classification) } });
  const plan = rb.plan;
  if (plan) {
    const changes = plan.changes.map((c) => `• ${c}`).join('\n');
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Change* (${plan.driver})\n\`${plan.current}\` → \`${plan.target}\`${changes ? `\n${changes}` : ''}`) },
    });
    if (rb.stack) {
      for (const c of rb.stack.components) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(componentText(rb, c, ctx.journal)) } });
    } else {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Plan*\n${stepLines(plan.steps, ctx.journal, '')}`) } });
    }
    for (const w of plan.warnings ?? []) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`:warning: *${w}*`) } });
    }
  }
  const approvedBy = rb.approvals.map((a) => `<@${a.user}>`).join(', ');
  const who = ctx.approvers.length ? ctx.approvers.map((u) => `<@${u}>`).join(' ') : '_nobody is eligible: fix `roles` in the catalog_';
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `*Needs*: ${ctx.approvalRule}, never the requester${approvedBy ? `\nApproved by ${approvedBy}` : ''}${
        rb.state === 'awaiting_approval'
          ? `\nMay approve: ${who}${ctx.expiresAt ? `\nExpires at ${hhmm(ctx.expiresAt.toISOString()).slice(0, 5)} UTC if not approved` : ''}`
          : ''
      }`,
    },
  });
  if (rb.error) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`:x: *${rb.error.name}*: ${rb.error.message}${rb.error.hint ? `\n*What you can do:* ${rb.error.hint}` : ''}`) },
    });
  }
  if (ctx.freeze?.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(ctx.freeze.join('\n')) } });
  if (rb.state === 'awaiting_approval' && plan) {
    blocks.push({
      type: 'actions',
      block_id: `rollback:${rb.id}`,
      elements: [
        {
          type: 'button',
          action_id: ACTION_APPROVE,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value: buttonValue(rb),
          confirm: {
            title: { type: 'plain_text', text: `Approve ${rb.id}?` },
            text: { type: 'mrkdwn', text: clip(`Roll back *${rb.service} ${rb.environment}* from \`${plan.current}\` to \`${plan.target}\`.`, 300) },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Back' },
          },
        },
        { type: 'button', action_id: ACTION_REJECT, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: buttonValue(rb) },
        { type: 'button', action_id: ACTION_CANCEL, text: { type: 'plain_text', text: 'Cancel' }, value: buttonValue(rb) },
      ],
    });
  }
  // Approved but not started yet: it can still be called off.
  if (rb.state === 'approved') {
    blocks.push({
      type: 'actions',
      block_id: `rollback:${rb.id}`,
      elements: [{ type: 'button', action_id: ACTION_CANCEL, text: { type: 'plain_text', text: 'Cancel' }, value: buttonValue(rb) }],
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${rb.id} · requested ${hhmm(rb.createdAt)} UTC${rb.finishedAt ? ` · finished ${hhmm(rb.finishedAt)} UTC` : ''} · \`/rollback status ${rb.id}\``,
      },
    ],
  });
  return blocks;
}

function stepLines(steps: PlanStep[], journal: Record<string, StepRecord>, prefix: string): string {
  return steps.map((s, i) => `${journal[prefix + s.id] ? STEP_MARK[journal[prefix + s.id]!.status] : ':white_small_square:'} ${i + 1}. ${s.title}`).join('\n');
}

const COMPONENT_MARK: Record<ComponentState['state'], string> = {
  running: ':arrows_counterclockwise:',
  succeeded: ':large_green_circle:',
  failed: ':red_circle:',
  skipped: ':fast_forward:',
  unchanged: ':white_check_mark:',
};

/** One stack component on the card: its state, its change and its steps, live from the journal. */
function componentText(rb: Rollback, c: Component, journal: Record<string, StepRecord>): string {
  const state = rb.componentStates?.[c.name];
  const mark = state ? `${COMPONENT_MARK[state.state]} ${state.state}` : ':white_small_square: waiting';
  const after = c.after.length ? ` · after ${c.after.join(', ')}` : '';
  const change = !c.plan
    ? 'not planned yet'
    : state?.state === 'unchanged'
      ? (c.plan.changes[0] ?? 'already there')
      : `\`${c.plan.current}\` → \`${c.plan.target}\`${state?.liveTarget && state.liveTarget !== c.plan.target ? `, now \`${state.liveTarget}\`` : ''}`;
  const steps = c.plan ? `\n${stepLines(c.plan.steps, journal, `${c.name}/`)}` : '';
  return `*${c.name}* (${c.service}) · ${mark}${after}\n${change}${steps}`;
}

/** Severity, scenario with the matrix's recommendation, and any override of a fix-forward advice. */
function classificationText(rb: Rollback): string | undefined {
  const { severity, scenario, override } = rb.policy ?? {};
  if (!severity && !override) return undefined;
  const lines: string[] = [];
  if (severity) {
    const rec = [scenario?.rollbackType, scenario?.estimateMs !== undefined ? `~${formatDuration(scenario.estimateMs)}` : undefined].filter(Boolean).join(', ');
    lines.push(`*Severity* ${severity.id} ${severity.label}${scenario ? ` · ${scenario.title}` : ''}${rec ? ` · recommended: ${rec}` : ''}`);
  }
  if (override) lines.push(`:warning: *Override* of the fix-forward advice: ${clip(override, 500)}`);
  return lines.join('\n');
}

export function hhmm(iso: string): string {
  return iso.slice(11, 19);
}

/** Plain-text fallback for notifications and screen readers. */
export function cardText(rb: Rollback): string {
  return `Rollback ${rb.id} ${rb.service} ${rb.environment}: ${stateName(rb.state)}`;
}
