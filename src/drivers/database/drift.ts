import type { RDSClient } from '@aws-sdk/client-rds';
import type { DriverContext } from '../driver.js';
import { ROLLBACK_TAG, utc, type DatabasePlanData } from './plan-data.js';
import { findInstance, findSnapshot } from './rds.js';
import { restoreWindow } from './window.js';

/** What moved since planning that makes the approved restore a different one. */
export async function driftDatabase(rds: RDSClient, data: DatabasePlanData, now: Date, ctx: DriverContext): Promise<string | undefined> {
  const source = await findInstance(rds, data.source, ctx.signal);
  if (data.sourceResourceId && source?.DbiResourceId !== data.sourceResourceId) {
    return source
      ? `${data.source} was replaced since planning (resource id ${data.sourceResourceId} → ${source.DbiResourceId}), so its backups are not the ones approved.`
      : `${data.source} no longer exists, so it cannot be restored to a point in time.`;
  }
  if (data.mode === 'pitr' && source) {
    const window = restoreWindow(
      { latestRestorableTime: source.LatestRestorableTime, retentionDays: source.BackupRetentionPeriod ?? 0, createdAt: source.InstanceCreateTime },
      now,
    );
    if ('unavailable' in window) return `${data.source} can no longer be restored to a point in time: ${window.unavailable}.`;
    if (new Date(data.restoreTime!) < window.earliest)
      return `${utc(data.restoreTime!)} has fallen out of ${data.source}'s backup window (now from ${utc(window.earliest)}).`;
  }
  if (data.mode === 'snapshot') {
    const snapshot = await findSnapshot(rds, data.snapshotId!, ctx.signal);
    if (snapshot?.Status !== 'available') return `Snapshot ${data.snapshotId} is ${snapshot ? snapshot.Status : 'gone'} since planning.`;
  }
  const existing = await findInstance(rds, data.targetInstance, ctx.signal);
  const owner = existing?.TagList?.find((t) => t.Key === ROLLBACK_TAG)?.Value;
  if (existing && owner !== data.rollbackId) return `An instance named ${data.targetInstance} appeared since planning and is not this rollback's.`;
  return undefined;
}
