import type { HistoryEntry } from './driver.js';

/** One row of `/rollback versions <env>`, DistroCV's "Version Tracking" table, read from live state. */
export interface VersionRow {
  /** The part of the target the row describes when it has several (a Deployment); omitted for the target itself. */
  part?: string;
  current: string;
  previous?: string;
  /** When the current version went live (ISO 8601), as far as the platform records it. */
  changedAt?: string;
  note?: string;
}

/**
 * A row from a driver's `history` (newest first, the live entry flagged): the live entry and the
 * one before it. For kinds whose history already says what went live when (flags, frontend builds).
 */
export function rowFromHistory(entries: readonly HistoryEntry[]): VersionRow {
  const at = entries.findIndex((e) => e.current);
  const live = entries[at];
  if (!live) return { current: '—', ...(entries[0] ? { previous: label(entries[0]) } : {}), note: 'no entry is marked live' };
  const before = entries[at + 1];
  return { current: label(live), ...(before ? { previous: label(before) } : {}), ...(live.createdAt ? { changedAt: live.createdAt } : {}) };
}

function label(e: HistoryEntry): string {
  return `${e.revision}: ${e.description}`;
}
