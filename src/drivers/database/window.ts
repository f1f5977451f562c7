import { formatDuration } from '../../domain/duration.js';
import { utc } from './plan-data.js';

/** The restorable window of an instance and the data a restore to a given point loses. Pure. */

const DAY = 86_400_000;

export interface SourceBackups {
  latestRestorableTime?: Date;
  retentionDays: number;
  createdAt?: Date;
}

export type RestoreWindow = { earliest: Date; latest: Date } | { unavailable: string };

/**
 * Earliest = the start of the backup retention period (or the instance's creation, if later);
 * latest = RDS's LatestRestorableTime (usually ~5 minutes behind now).
 */
export function restoreWindow(source: SourceBackups, now: Date): RestoreWindow {
  if (source.retentionDays <= 0) return { unavailable: 'automated backups are off (backup retention 0 days), so there is no point-in-time window' };
  if (!source.latestRestorableTime) return { unavailable: 'RDS reports no latest restorable time yet (a new instance, or backups still starting)' };
  const earliest = Math.max(now.getTime() - source.retentionDays * DAY, source.createdAt?.getTime() ?? 0);
  return { earliest: new Date(earliest), latest: source.latestRestorableTime };
}

export function describeWindow(window: { earliest: Date; latest: Date }, retentionDays: number): string {
  return `${utc(window.earliest)} → ${utc(window.latest)} (latest restorable time; backups kept ${retentionDays} day${retentionDays === 1 ? '' : 's'})`;
}

const MINUTE = 60_000;

/** `2026-01-22T10:05Z` on a whole minute, else `2026-01-22T10:05:30Z` (or with milliseconds, for a window under a second). */
function atValue(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/:00Z$/, 'Z');
}

/**
 * `at` values inside the window, for the refusal's choices: the latest restorable minute, five
 * minutes before it, and a minute after the earliest (a margin, since the window keeps moving),
 * each only if it falls inside [earliest, latest]. A young instance's window can be minutes or
 * seconds long; then fewer choices, down to the latest restorable second (or instant) itself.
 */
export function windowChoices(window: { earliest: Date; latest: Date }): string[] {
  const earliest = window.earliest.getTime();
  const latest = window.latest.getTime();
  const inside = (ms: number) => ms >= earliest && ms <= latest;
  const floor = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
  const candidates = [floor(latest, MINUTE), floor(latest - 5 * MINUTE, MINUTE), Math.ceil((earliest + MINUTE) / MINUTE) * MINUTE].filter(inside);
  if (candidates.length === 0) candidates.push(inside(floor(latest, 1000)) ? floor(latest, 1000) : latest);
  return [...new Set(candidates)].map((ms) => `at ${atValue(ms)}`);
}

export interface DataLoss {
  /** Writes after this instant are not in the restored database. */
  since: Date;
  ms: number;
  overRpo: boolean;
  line: string;
}

export function dataLoss(pointInTime: Date, now: Date, rpoMs: number): DataLoss {
  const ms = Math.max(0, now.getTime() - pointInTime.getTime());
  const overRpo = ms > rpoMs;
  return {
    since: pointInTime,
    ms,
    overRpo,
    line: `Data-loss window: writes after ${utc(pointInTime)} (${formatDuration(ms)} so far, growing until the switch) will not be in the restored database; RPO ${formatDuration(rpoMs)}${overRpo ? ' (exceeded)' : ''}.`,
  };
}
