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

/** `at` values inside the window (the oldest with a margin, since the window keeps moving), for the refusal's choices. */
export function windowChoices(window: { earliest: Date; latest: Date }): string[] {
  const minute = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().replace(/:00\.000Z$/, 'Z');
  return [`at ${minute(window.latest.getTime())}`, `at ${minute(window.earliest.getTime() + 10 * 60_000)}`];
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
