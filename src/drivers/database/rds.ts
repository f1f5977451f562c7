import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, type DBInstance, type DBSnapshot, type RDSClient } from '@aws-sdk/client-rds';
import { fromAwsError } from '../errors.js';

/** Reads shared by plan, steps and drift. A missing instance or snapshot is an answer (undefined), not an error. */

export const READ_HINT =
  "check that Rewind's AWS role may call rds:DescribeDBInstances and rds:DescribeDBSnapshots on this instance (docs/drivers/database.md, IAM), in the catalog's region";

export async function findInstance(rds: RDSClient, id: string, signal?: AbortSignal): Promise<DBInstance | undefined> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), { abortSignal: signal });
    return out.DBInstances?.find((i) => i.DBInstanceIdentifier === id);
  } catch (error) {
    if (signal?.aborted) throw error;
    if ((error as Error).name === 'DBInstanceNotFoundFault') return undefined;
    throw fromAwsError(error, 'DescribeDBInstances', READ_HINT);
  }
}

export async function findSnapshot(rds: RDSClient, id: string, signal?: AbortSignal): Promise<DBSnapshot | undefined> {
  try {
    const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }), { abortSignal: signal });
    return out.DBSnapshots?.find((s) => s.DBSnapshotIdentifier === id);
  } catch (error) {
    if (signal?.aborted) throw error;
    if ((error as Error).name === 'DBSnapshotNotFoundFault') return undefined;
    throw fromAwsError(error, 'DescribeDBSnapshots', READ_HINT);
  }
}

export interface SnapshotInfo {
  id: string;
  createdAt: string;
  type: string;
  status: string;
}

/** Manual and automated snapshots of one instance, newest first (`aws rds describe-db-snapshots`). */
export async function listSnapshots(rds: RDSClient, instance: string, signal?: AbortSignal, limit = 20): Promise<SnapshotInfo[]> {
  const found: SnapshotInfo[] = [];
  let marker: string | undefined;
  try {
    do {
      const out = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instance, Marker: marker }), { abortSignal: signal });
      for (const s of out.DBSnapshots ?? []) {
        if (!s.DBSnapshotIdentifier || !s.SnapshotCreateTime) continue;
        found.push({
          id: s.DBSnapshotIdentifier,
          createdAt: s.SnapshotCreateTime.toISOString(),
          type: s.SnapshotType ?? 'manual',
          status: s.Status ?? 'unknown',
        });
      }
      marker = out.Marker;
    } while (marker);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw fromAwsError(error, 'DescribeDBSnapshots', READ_HINT);
  }
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
}
