import type { KnownBlock, View } from '@slack/types';
import { STACK_PREFIX, type RequestForm } from '../domain/request-form.js';
import type { Rollback } from '../domain/rollback.js';
import { readVersion, VERSION_BLOCK, versionBlock, type VersionChoices } from './modal-versions.js';

/** Modals: the rollback request form (`/rollback` with no arguments) and a rejection's reason. */

export const VIEW_REQUEST = 'rollback_request';
export const VIEW_REJECT = 'rollback_reject_reason';

/** Block ids of the request form; validation errors are keyed by these. */
export const FIELD = {
  target: 'target',
  scenario: 'scenario',
  severity: 'severity',
  reason: 'reason',
  override: 'override',
  version: VERSION_BLOCK,
  checklist: 'checklist',
} as const;
export type Field = (typeof FIELD)[keyof typeof FIELD];

export interface ModalChoices {
  /** `stack`: the number of components, for a catalog stack. */
  targets: { service: string; environment: string; stack?: number }[];
  scenarios: { id: string; title: string; severity: string; approve: string; recommendation: string }[];
  severities: { id: string; label: string; advice: string }[];
  checklist: readonly string[];
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 75), emoji: true });

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The request form. `channel` is where `/rollback` was typed, for the private reply after submitting;
 * `versions` fills the version field once the worker has read the chosen target's history.
 */
export function requestModal(choices: ModalChoices, channel: string, versions?: VersionChoices): View {
  const matrix = choices.scenarios
    .map((s) => `• *${s.title}*: ${s.severity} · approve: ${s.approve}${s.recommendation ? ` · ${s.recommendation}` : ''}`)
    .join('\n');
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'Rewind plans the rollback from the live state and posts it in the war room; it runs once the approvers for its severity approve.',
      },
    },
    {
      type: 'input',
      block_id: FIELD.target,
      // Choosing a target asks the worker for its versions (a block_actions while the form is open).
      dispatch_action: true,
      label: plain('Service and environment'),
      element: {
        type: 'static_select',
        action_id: FIELD.target,
        placeholder: plain('Choose what to roll back'),
        options: choices.targets.slice(0, 100).map((t) => ({
          text: plain(t.stack ? `stack ${t.service} ${t.environment} (${t.stack} components)` : `${t.service} ${t.environment}`),
          value: `${t.stack ? STACK_PREFIX : ''}${t.service}/${t.environment}`,
        })),
      },
    },
    {
      type: 'input',
      block_id: FIELD.scenario,
      label: plain('What happened? (issue type)'),
      element: {
        type: 'static_select',
        action_id: FIELD.scenario,
        placeholder: plain('Choose the closest row of the decision matrix'),
        options: choices.scenarios.slice(0, 100).map((s) => ({ text: plain(`${s.title} (${s.severity})`), value: s.id })),
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`*Decision matrix*: recommended rollback and time estimate\n${matrix}`, 3000) }] },
    {
      type: 'input',
      block_id: FIELD.severity,
      optional: true,
      label: plain("Severity (default: the issue type's)"),
      element: {
        type: 'static_select',
        action_id: FIELD.severity,
        placeholder: plain('As the issue type says'),
        options: choices.severities.map((s) => ({ text: plain(`${s.id} · ${s.label}: ${s.advice}`), value: s.id })),
      },
    },
    {
      type: 'input',
      block_id: FIELD.reason,
      label: plain('Reason'),
      element: {
        type: 'plain_text_input',
        action_id: FIELD.reason,
        multiline: true,
        max_length: 500,
        placeholder: plain('What users see, since when, what you tried'),
      },
    },
    {
      type: 'input',
      block_id: FIELD.override,
      optional: true,
      label: plain('Override reason (fix-forward severities)'),
      hint: plain('P2/P3: the matrix says fix forward. Say why a rollback is still right; it is audited.'),
      element: { type: 'plain_text_input', action_id: FIELD.override, max_length: 500 },
    },
    versionBlock(versions),
    {
      type: 'input',
      block_id: FIELD.checklist,
      label: plain('Pre-rollback checklist: confirm every item'),
      element: {
        type: 'checkboxes',
        action_id: FIELD.checklist,
        options: choices.checklist.map((item, i) => ({ text: { type: 'mrkdwn', text: clip(item, 150) }, value: String(i) })),
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: VIEW_REQUEST,
    private_metadata: JSON.stringify({ channel }),
    title: plain('Roll back'),
    submit: plain('Request rollback'),
    close: plain('Cancel'),
    blocks,
  };
}

/** What the request form holds, as plain values. */
type StateValues = Record<
  string,
  Record<string, { selected_option?: { value?: string } | null; value?: string | null; selected_options?: { value?: string }[] }>
>;

/** Reads `view.state.values` of the request form. */
export function readRequestForm(values: StateValues): RequestForm {
  const field = (id: Field) => values[id]?.[id];
  const text = (id: Field) => field(id)?.value?.trim() || undefined;
  const selected = (id: Field) => field(id)?.selected_option?.value ?? undefined;
  return {
    target: selected(FIELD.target),
    scenario: selected(FIELD.scenario),
    severity: selected(FIELD.severity),
    reason: text(FIELD.reason),
    override: text(FIELD.override),
    version: readVersion(values[FIELD.version]).version,
    checked: (field(FIELD.checklist)?.selected_options ?? []).map((o) => Number(o.value)).filter((n) => Number.isInteger(n)),
  };
}

export const REJECT_REASON = 'reason';

/** Asks the rejecting approver why; the answer goes into the audit trail. */
export function rejectModal(rb: Rollback, channel: string): View {
  return {
    type: 'modal',
    callback_id: VIEW_REJECT,
    private_metadata: JSON.stringify({ id: rb.id, channel, ...(rb.nonce ? { nonce: rb.nonce } : {}) }),
    title: plain(`Reject ${rb.id}`),
    submit: plain('Reject'),
    close: plain('Back'),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            `Reject the rollback of *${rb.service} ${rb.environment}* requested by <@${rb.requestedBy}>. The reason is posted in the thread and kept in the audit trail.`,
            3000,
          ),
        },
      },
      {
        type: 'input',
        block_id: REJECT_REASON,
        label: plain('Why reject it?'),
        element: {
          type: 'plain_text_input',
          action_id: REJECT_REASON,
          multiline: true,
          max_length: 500,
          placeholder: plain('e.g. fix forward instead: patch is ready'),
        },
      },
    ],
  };
}

export function readRejectReason(values: StateValues): string | undefined {
  return values[REJECT_REASON]?.[REJECT_REASON]?.value?.trim() || undefined;
}

/** The modal's private_metadata, parsed defensively (it comes back from Slack). */
export function viewMetadata(raw: string): { id?: string; channel?: string; nonce?: string } {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') {
      const { id, channel, nonce } = parsed as Record<string, unknown>;
      return {
        ...(typeof id === 'string' ? { id } : {}),
        ...(typeof channel === 'string' ? { channel } : {}),
        ...(typeof nonce === 'string' ? { nonce } : {}),
      };
    }
  } catch {
    // Not ours or tampered with: no metadata.
  }
  return {};
}
