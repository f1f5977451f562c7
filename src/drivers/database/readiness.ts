import type { RDSClient } from '@aws-sdk/client-rds';
import { formatDuration } from '../../domain/duration.js';
import type { ReadinessContext, ReadinessItem } from '../readiness.js';
import { utc } from './plan-data.js';
import { findInstance, listSnapshots } from './rds.js';
import type { DatabaseTarget } from './target.js';
import { restoreWindow } from './window.js';

/**
 * DistroCV's "database snapshot or PITR window covering the last N hours": the point-in-time
 * window reaches back `backupWindow`, or an available snapshot was taken within it.
 */
export async function databaseReadiness(rds: RDSClient, target: DatabaseTarget, ctx: ReadinessContext): Promise<ReadinessItem[]> {
  const hours = formatDuration(ctx.backupWindowMs);
  const instance = await findInstance(rds, target.instance, ctx.signal);
  if (!instance)
    return [{ check: 'backup', ok: false, detail: `RDS has no instance ${target.instance}`, fix: 'Check `instance` and `region` in the Rewind catalog.' }];
  const from = ctx.now.getTime() - ctx.backupWindowMs;
  const window = restoreWindow(
    { latestRestorableTime: instance.LatestRestorableTime, retentionDays: instance.BackupRetentionPeriod ?? 0, createdAt: instance.InstanceCreateTime },
    ctx.now,
  );
  if ('earliest' in window && window.earliest.getTime() <= from)
    return [{ check: 'backup', ok: true, detail: `point-in-time window ${utc(window.earliest)} → ${utc(window.latest)} covers the last ${hours}` }];
  const snapshot = (await listSnapshots(rds, target.instance, ctx.signal)).find((s) => s.status === 'available' && Date.parse(s.createdAt) >= from);
  if (snapshot) return [{ check: 'backup', ok: true, detail: `snapshot ${snapshot.id} taken ${utc(snapshot.createdAt)}, within the last ${hours}` }];
  const why = 'unavailable' in window ? window.unavailable : `the point-in-time window only starts at ${utc(window.earliest)}`;
  return [
    {
      check: 'backup',
      ok: false,
      detail: `${target.instance}: ${why}, and no available snapshot from the last ${hours}`,
      fix: `Turn on automated backups (backup retention ≥ 1 day) or take a snapshot now: \`aws rds create-db-snapshot --db-instance-identifier ${target.instance} --db-snapshot-identifier ${target.instance}-pre-deploy\`.`,
    },
  ];
}
