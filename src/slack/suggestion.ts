import type { KnownBlock } from '@slack/types';
import type { Alert } from '../domain/alert.js';
import { formatDuration } from '../domain/duration.js';
import type { VersionRow } from '../drivers/versions.js';
import type { TargetVersions } from '../rollbacks/version-table.js';
import type { Message } from './poster.js';

export const ACTION_REQUEST_FROM_SUGGESTION = 'suggestion_request_rollback';
/** Slack caps a button value at 2000 characters; the alert's name rides along only to say why in the request. */
const ALERT_NAME_IN_BUTTON = 200;
/** Message metadata of a suggestion: lets a retried post find the one that landed before a crash. */
export const SUGGESTION_EVENT = 'rewind_suggestion';

/** What the worker found when the first alert arrived; posted once and kept with the suggestion. */
export interface SuggestionBody {
  versions: TargetVersions;
  plan?: { current: string; target: string; changes: string[] };
  /** Why no plan could be made (refused, unreadable): shown instead of one. */
  planProblem?: string;
}

export interface SuggestionView {
  service: string;
  environment: string;
  alerts: readonly Alert[];
  body: SuggestionBody;
  changeWindowMs: number;
}

function clip(text: string, max = 2900): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function alertLine(a: Alert): string {
  const name = a.url && /^https?:\/\//.test(a.url) ? `<${a.url}|${a.name}>` : a.name;
  const state =
    a.status === 'firing'
      ? `:red_circle: *${name}* firing since ${utc(a.startsAt)}`
      : `:white_check_mark: *${name}* resolved at ${utc(a.endsAt ?? a.startsAt)} (fired ${utc(a.startsAt)})`;
  return `${state} · ${a.source}${a.summary ? `\n> ${a.summary.replace(/\n/g, ' ')}` : ''}`;
}

/** "What changed shortly before": each version row's change set against when the first alert fired. */
export function changeLine(row: VersionRow, firedAt: number, windowMs: number): string {
  const what = `${row.part ? `${row.part}: ` : ''}\`${row.previous ?? '—'}\` → \`${row.current}\``;
  if (!row.changedAt) return `${what} (when it changed is not recorded)`;
  const changed = Date.parse(row.changedAt);
  if (changed > firedAt) return `${what} at ${utc(row.changedAt)}, ${formatDuration(changed - firedAt)} *after* the alert fired`;
  const before = firedAt - changed;
  if (before <= windowMs) return `:warning: ${what} at ${utc(row.changedAt)}, *${formatDuration(before)} before* the alert fired: a likely cause`;
  return `${what} at ${utc(row.changedAt)}, ${formatDuration(before)} before the alert: no change in the ${formatDuration(windowMs)} before it, so a rollback may not help`;
}

/** The suggested rollback: what fired, since when, what changed shortly before, the plan Rewind would make, and one button that files a normal request. */
export function suggestionMessage(v: SuggestionView): Message {
  const firing = v.alerts.filter((a) => a.status === 'firing');
  const resolved = firing.length === 0 && v.alerts.length > 0;
  const firedAt = Math.min(...v.alerts.map((a) => Date.parse(a.startsAt)));
  const target = `${v.service} ${v.environment}`;
  const title = resolved ? `:white_check_mark: Resolved: suggested rollback of ${target}` : `:rotating_light: Suggested rollback of ${target}`;
  const versions = v.body.versions;
  const changes = versions.error
    ? [`:warning: could not read its versions: ${versions.error}`]
    : versions.rows.map((row) => changeLine(row, firedAt, v.changeWindowMs));
  const plan = v.body.plan
    ? [`*The plan it would make*: \`${v.body.plan.current}\` → \`${v.body.plan.target}\``, ...v.body.plan.changes.slice(0, 10).map((c) => `• ${c}`)].join('\n')
    : `*No plan*: ${v.body.planProblem ?? 'the driver made none'}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*${title}*`) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*What fired*\n${v.alerts.slice(0, 10).map(alertLine).join('\n')}`) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*What changed before it* (${versions.driver})\n${changes.join('\n') || '—'}`) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(plan) } },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION_REQUEST_FROM_SUGGESTION,
          text: { type: 'plain_text', text: 'Request rollback' },
          value: JSON.stringify({ service: v.service, environment: v.environment, alert: (firing[0] ?? v.alerts[0])?.name.slice(0, ALERT_NAME_IN_BUTTON) }),
        },
      ],
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: resolved
            ? 'The alert resolved. Nothing was changed; a rollback is still yours to request if you want one.'
            : 'Nothing has been changed. "Request rollback" files a normal request in your name; it still needs the usual approvals (a suggestion is never an approval).',
        },
      ],
    },
  ];
  const text = `${resolved ? 'Resolved: ' : ''}Suggested rollback of ${target}: ${firing[0]?.name ?? v.alerts[0]?.name ?? 'alert'} ${resolved ? 'resolved' : 'firing'}`;
  return { text, blocks, metadata: { event_type: SUGGESTION_EVENT, event_payload: { target: `${v.service}/${v.environment}` } } };
}
