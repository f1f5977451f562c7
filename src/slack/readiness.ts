import { formatDuration } from '../domain/duration.js';
import { READINESS_COLUMNS, type NotReady, type ReadinessCell, type ReadinessColumn, type ReadinessReport } from '../domain/readiness.js';

const HEADINGS: Record<ReadinessColumn, string> = {
  previous: 'previous version',
  backup: 'backup',
  health: 'health URL',
  approvers: 'approvers',
  freeze: 'not frozen',
};

/** Worst first: one failing item fails the column; all unchecked reads "not checked". */
function mark(cells: ReadinessCell[]): string {
  if (cells.some((c) => c.ok === false)) return 'NO';
  if (cells.some((c) => c.ok === true)) return 'ok';
  return '-';
}

const pad = (text: string, width: number) => text.padEnd(width);

/**
 * The `/rollback ready` answer for a tired human: the verdict first, a fixed-width table (one row
 * per target, `ok` / `NO` / `-` for not checked), then each failing item with what was found and
 * the fix, then what was not checked and why.
 */
export function readinessText(r: ReadinessReport): string {
  const what = `${r.stack ? 'stack ' : ''}${r.name} ${r.environment}`;
  const problems = r.rows.flatMap((row) =>
    READINESS_COLUMNS.flatMap((col) => row.cells[col].filter((c) => c.ok === false).map((c) => ({ row: row.label, col, cell: c }))),
  );
  const unchecked = r.rows.flatMap((row) =>
    READINESS_COLUMNS.filter((col) => mark(row.cells[col]) === '-').map(
      (col) => `${row.label} · ${HEADINGS[col]}: ${row.cells[col][0]?.detail ?? 'not checked'}`,
    ),
  );
  const labelWidth = Math.max(6, ...r.rows.map((row) => row.label.length));
  const header = [pad('target', labelWidth), ...READINESS_COLUMNS.map((c) => pad(HEADINGS[c], HEADINGS[c].length))].join('  ');
  const lines = r.rows.map((row) =>
    [pad(row.label, labelWidth), ...READINESS_COLUMNS.map((c) => pad(mark(row.cells[c]), HEADINGS[c].length))].join('  ').trimEnd(),
  );
  const verdict = problems.length
    ? `:warning: *${what} is not ready*: ${problems.length} item${problems.length === 1 ? '' : 's'} to fix before the next deploy.`
    : `:white_check_mark: *${what} is ready*: a rollback would have what it needs.`;
  return [
    verdict,
    `Pre-deployment checklist against live state at ${r.checkedAt.toISOString().slice(11, 16)} UTC (backups must cover the last ${formatDuration(r.backupWindowMs)}).`,
    '```',
    header,
    ...lines,
    '```',
    ...problems.map((p) => `:x: *${p.row} · ${HEADINGS[p.col]}*: ${p.cell.detail}${p.cell.fix ? `\n      *Fix:* ${p.cell.fix}` : ''}`),
    ...(unchecked.length ? ['_Not checked (`-`):_', ...unchecked.map((u) => `• ${u}`)] : []),
  ].join('\n');
}

/** The daily war-room summary: only what is not ready, grouped by target, each with its fix. */
export function readinessSummaryText(day: string, checked: number, items: NotReady[]): string {
  const targets = [...new Set(items.map((i) => i.target))];
  return [
    `:clipboard: *Daily readiness ${day}*: ${targets.length} of ${checked} targets not ready for a rollback.`,
    ...targets.flatMap((t) => [
      `*${t}* (\`/rollback ready ${t}\`)`,
      ...items.filter((i) => i.target === t).map((i) => `• ${HEADINGS[i.column]}: ${i.detail}${i.fix ? ` *Fix:* ${i.fix}` : ''}`),
    ]),
  ].join('\n');
}
