import type { HomeView, KnownBlock } from '@slack/types';
import { formatDuration } from '../domain/duration.js';
import type { CardRef, Rollback } from '../domain/rollback.js';
import { unfreezeCommand, type Freeze } from '../domain/freeze.js';
import { hhmm, rtoClock, stateLabel } from './blocks.js';

/** Slack refuses a view with more blocks than this. */
export const HOME_MAX_BLOCKS = 100;
/** Outcomes listed under "Recent outcomes". */
export const HOME_RECENT = 10;
/** Slack's limits: section text 3000, header 150. */
const SECTION_MAX = 3000;
const HEADER_MAX = 150;

/** One rollback in flight, with who it still waits for (set while it awaits approval). */
export interface HomeInFlight {
  rollback: Rollback;
  /** e.g. `1 more from oncall or lead`; or why nobody can approve it now. */
  needed?: string;
  /** Who could give the missing approvals (never the requester, nor who already approved). */
  mayApprove?: string[];
  /** Whether the viewer is one of them. */
  viewerMayApprove?: boolean;
}

/** What the App Home shows one person, gathered by src/warroom/home.ts. */
export interface HomeData {
  user: string;
  now: Date;
  rtoMs: number;
  inFlight: HomeInFlight[];
  /** Finished rollbacks, newest first (the builder shows at most HOME_RECENT). */
  recent: Rollback[];
  /** Targets this person may approve: `api production`, `stack core production`. */
  approvable: string[];
  /** Deploy freezes in place, oldest first. */
  frozen?: Freeze[];
}

/** The main commands, short. */
export const HOME_COMMANDS = [
  '`/rollback <service> <environment> [reason]`: roll back to the previous version',
  '`/rollback`: open the rollback form',
  '`/rollback history [service]`: recent rollbacks with outcome and duration',
  '`/rollback status RB-12`: one rollback and its audit trail',
  '`/rollback matrix`: who approves what, and when to fix forward',
  '`/rollback help`: everything else',
];

export function clipText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `label` linked to the card's message (its permalink from Slack); without one yet, the label and the channel. */
function cardLink(card: CardRef | undefined, label: string, unlinked: string): string {
  if (!card) return unlinked;
  return card.permalink ? `<${card.permalink}|${label}>` : `${unlinked} (in <#${card.channel}>)`;
}

function targetName(rb: Rollback): string {
  return `${rb.stack ? 'stack ' : ''}${rb.service} ${rb.environment}`;
}

/** Slack renders the date in the reader's time zone; the fallback is UTC. */
function when(iso: string): string {
  const unix = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${iso.slice(0, 10)} ${hhmm(iso).slice(0, 5)} UTC>`;
}

/** Escapes what Slack's mrkdwn would read as markup in free text. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clipText(text, SECTION_MAX) } };
}

function inFlightText(item: HomeInFlight, d: HomeData): string {
  const rb = item.rollback;
  const lines = [
    `*${rb.id}* · ${escape(clipText(targetName(rb), 200))} · ${stateLabel(rb.state)}`,
    `RTO clock: ${rtoClock(rb, d.rtoMs, d.now)} · requested by <@${rb.requestedBy}>`,
  ];
  if (rb.reason) lines.push(`_${escape(clipText(rb.reason, 300))}_`);
  if (item.needed) {
    const who = item.mayApprove?.length
      ? ` · may approve: ${item.mayApprove
          .slice(0, 15)
          .map((u) => `<@${u}>`)
          .join(' ')}`
      : '';
    lines.push(`:raised_hand: Needs ${escape(clipText(item.needed, 500))}${who}`);
  }
  if (item.viewerMayApprove) lines.push(':point_right: *You can approve this one.*');
  lines.push(rb.card ? cardLink(rb.card, 'Open the card', 'Card') : '_card not posted yet_');
  return lines.join('\n');
}

function freezeLine(f: Freeze): string {
  return `:ice_cube: *${escape(clipText(`${f.service} ${f.environment}`, 120))}* · held since ${when(f.since)} by ${f.rollback} (<@${f.by}>) · lift: \`${unfreezeCommand(f.service, f.environment)}\``;
}

function outcomeLine(rb: Rollback): string {
  const duration = rb.finishedAt ? formatDuration(Date.parse(rb.finishedAt) - Date.parse(rb.createdAt)) : '?';
  const link = cardLink(rb.card, rb.id, rb.id);
  return `${link} · ${escape(clipText(targetName(rb), 120))} · ${stateLabel(rb.state)} · ${duration} · ${when(rb.finishedAt ?? rb.updatedAt)}`;
}

/** Joins lines into one section, dropping whole lines (and saying how many) past the text limit. */
function listSection(title: string, lines: string[], empty: string): KnownBlock {
  if (!lines.length) return section(`${title}\n${empty}`);
  let text = title;
  let shown = 0;
  for (const l of lines) {
    const more = `\n…and ${lines.length - shown} more`;
    if (text.length + 1 + l.length + more.length > SECTION_MAX) return section(`${text}${more}`);
    text += `\n${l}`;
    shown++;
  }
  return section(text);
}

/** The App Home tab: rollbacks in flight, recent outcomes, what this person may approve, the main commands. Pure. */
export function homeView(d: HomeData): HomeView {
  const head: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clipText('Rewind: production rollbacks', HEADER_MAX), emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Updated ${when(d.now.toISOString())} · updates as rollbacks move` }] },
    { type: 'divider' },
    section(`*In flight* (${d.inFlight.length})`),
  ];
  const tail: KnownBlock[] = [
    { type: 'divider' },
    listSection('*Deploy freezes* (fix forward first)', (d.frozen ?? []).map(freezeLine), '_No deploys are held._'),
    { type: 'divider' },
    listSection(`*Recent outcomes*`, d.recent.slice(0, HOME_RECENT).map(outcomeLine), '_None yet._'),
    { type: 'divider' },
    listSection(
      '*You may approve*',
      d.approvable.map((t) => `• ${escape(clipText(t, 200))}`),
      '_Nothing: approvers come from the catalog `roles`._',
    ),
    { type: 'divider' },
    listSection('*Commands*', HOME_COMMANDS, ''),
  ];
  // Every in-flight rollback is one block; past the budget, one line says how many are not shown.
  const budget = HOME_MAX_BLOCKS - head.length - tail.length;
  const flight: KnownBlock[] = d.inFlight.length ? [] : [section('_Nothing in flight._')];
  const fits = d.inFlight.length <= budget ? d.inFlight.length : budget - 1;
  for (const item of d.inFlight.slice(0, fits)) flight.push(section(inFlightText(item, d)));
  if (fits < d.inFlight.length) {
    flight.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${d.inFlight.length - fits} more: \`/rollback status RB-n\`` }] });
  }
  return { type: 'home', blocks: [...head, ...flight, ...tail] };
}
