import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../domain/duration.js';
import type { VersionRow } from '../drivers/versions.js';
import type { TargetVersions } from '../rollbacks/version-table.js';

/** Slack takes at most 50 blocks per message: a header, this many rows, and a line saying what was left out. */
const MAX_ROWS = 47;
/** A section field holds at most 2000 characters. */
const FIELD_MAX = 300;

function clip(text: string, max = FIELD_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `2026-01-22 10:00 UTC (3h 05m ago)`. */
function whenChanged(iso: string | undefined, now: Date): string {
  if (!iso) return '—';
  return `${iso.slice(0, 16).replace('T', ' ')} UTC (${formatDuration(now.getTime() - Date.parse(iso))} ago)`;
}

interface Line {
  name: string;
  driver: string;
  row?: VersionRow;
  error?: string;
}

function lines(table: readonly TargetVersions[]): Line[] {
  return table.flatMap((t): Line[] => {
    const name = (row?: VersionRow) => (row?.part ? `${t.service} · ${row.part}` : t.service);
    if (t.error) return [{ name: name(), driver: t.driver, error: t.error }];
    return t.rows.map((row) => ({ name: name(row), driver: t.driver, row }));
  });
}

function section(line: Line, now: Date): KnownBlock {
  const head = `*${line.name}* · ${line.driver}`;
  if (line.error) return { type: 'section', text: { type: 'mrkdwn', text: clip(`${head}\n:warning: could not read it: ${line.error}`, 2900) } };
  const row = line.row!;
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: clip(`${head}${row.note ? `\n_${row.note}_` : ''}`, 2900) },
    fields: [
      { type: 'mrkdwn', text: `*Current*\n${clip(row.current)}` },
      { type: 'mrkdwn', text: `*Previous*\n${clip(row.previous ?? '—')}` },
      { type: 'mrkdwn', text: `*Changed*\n${whenChanged(row.changedAt, now)}` },
    ],
  };
}

/** `/rollback versions <env>`: DistroCV's "Version Tracking" table, one section per target (per Deployment for Kubernetes), within Slack's limits. */
export function versionTableMessage(environment: string, table: readonly TargetVersions[], now: Date): { text: string; blocks: KnownBlock[] } {
  const all = lines(table);
  const shown = all.slice(0, MAX_ROWS);
  const title = `Versions in ${environment}`;
  const text = [
    `*${title}* (component · current · previous · changed)`,
    ...all.map((l) =>
      l.error ? `• ${l.name}: :warning: ${l.error}` : `• ${l.name}: ${l.row!.current} · ${l.row!.previous ?? '—'} · ${whenChanged(l.row!.changedAt, now)}`,
    ),
  ].join('\n');
  if (all.length === 0) return { text: `No service or flag has an environment ${environment}.`, blocks: [] };
  return {
    text: clip(text, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
      ...shown.map((l) => section(l, now)),
      ...(all.length > shown.length
        ? [
            {
              type: 'context' as const,
              elements: [
                {
                  type: 'mrkdwn' as const,
                  text: `${all.length - shown.length} more rows not shown: ask for one target with \`/rollback history <service> ${environment}\`.`,
                },
              ],
            },
          ]
        : []),
    ],
  };
}
