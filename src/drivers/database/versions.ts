import type { RDSClient } from '@aws-sdk/client-rds';
import type { DriverContext } from '../driver.js';
import type { VersionRow } from '../versions.js';
import { utc } from './plan-data.js';
import { findInstance, listSnapshots } from './rds.js';
import type { DatabaseTarget } from './target.js';

/** A database has no "previous version": the row shows the instance class, how far back it can be restored and the newest snapshot. */
export async function databaseVersions(rds: RDSClient, target: DatabaseTarget, ctx: DriverContext): Promise<VersionRow[]> {
  const [instance, snapshots] = await Promise.all([findInstance(rds, target.instance, ctx.signal), listSnapshots(rds, target.instance, ctx.signal, 1)]);
  if (!instance) throw new Error(`RDS has no instance ${target.instance}; check instance (and region) in the Rewind catalog.`);
  const restorable = instance.LatestRestorableTime ? `restorable to ${utc(instance.LatestRestorableTime)}` : 'no point-in-time window';
  const newest = snapshots[0];
  return [
    {
      current: [target.instance, instance.DBInstanceClass, `(${instance.DBInstanceStatus ?? 'unknown'})`].filter(Boolean).join(' '),
      ...(newest ? { previous: `snapshot ${newest.id} (${utc(newest.createdAt)})` } : {}),
      note: restorable,
    },
  ];
}
