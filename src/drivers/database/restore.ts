import { RestoreDBInstanceFromDBSnapshotCommand, RestoreDBInstanceToPointInTimeCommand, type DBInstance, type RDSClient } from '@aws-sdk/client-rds';
import { createWaiter, WaiterState } from '@smithy/core/client';
import { formatDuration } from '../../domain/duration.js';
import type { StepContext } from '../driver.js';
import { fromAwsError, StepFailed } from '../errors.js';
import { regionFlag, ROLLBACK_TAG, utc, type DatabasePlanData } from './plan-data.js';
import { findInstance } from './rds.js';
import type { DatabaseTarget } from './target.js';

const RESTORE_HINT =
  "check that Rewind's AWS role may call rds:RestoreDBInstanceToPointInTime / rds:RestoreDBInstanceFromDBSnapshot and rds:AddTagsToResource (docs/drivers/database.md, IAM); if RDS refused the restore time, ask for a new plan inside the window";

/** Statuses a restore never leaves by itself: stop waiting and say so. */
const DEAD_ENDS = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'inaccessible-encryption-credentials',
  'deleting',
  'deleted',
  'storage-full',
]);

function describeCommand(data: DatabasePlanData): string {
  return `aws rds describe-db-instances --db-instance-identifier ${data.targetInstance}${regionFlag(data)} --query 'DBInstances[0].[DBInstanceStatus,Endpoint.Address]'`;
}

/** An instance with our name exists: ours (adopt it) or someone else's (stop, never touch it). */
function adopt(found: DBInstance, data: DatabasePlanData, ctx: StepContext<DatabaseTarget>): Record<string, unknown> {
  const owner = found.TagList?.find((t) => t.Key === ROLLBACK_TAG)?.Value;
  if (owner !== ctx.rollbackId) {
    throw new StepFailed(
      'TargetInstanceTaken',
      `RDS instance ${data.targetInstance} already exists but was not restored by ${ctx.rollbackId}${owner ? ` (it belongs to ${owner})` : ''}; Rewind will not take it over.`,
      `rename or delete ${data.targetInstance}, or change targetName in the catalog, then ask for a new plan`,
    );
  }
  ctx.log.info({ instance: data.targetInstance, status: found.DBInstanceStatus }, 'restore from an earlier attempt adopted');
  ctx.progress(`${data.targetInstance} already exists (${found.DBInstanceStatus}): restore from an earlier attempt adopted`);
  return { instance: data.targetInstance, status: found.DBInstanceStatus, adopted: true };
}

/**
 * RestoreDBInstanceToPointInTime / FromDBSnapshot into the planned instance name. Idempotent: the name
 * is fixed per rollback and tagged with its id, so after a crash the instance is found and adopted
 * instead of restored twice (also when the two attempts race: DBInstanceAlreadyExists).
 */
export async function restore(rds: RDSClient, data: DatabasePlanData, ctx: StepContext<DatabaseTarget>): Promise<Record<string, unknown>> {
  const existing = await findInstance(rds, data.targetInstance, ctx.signal);
  if (existing) return adopt(existing, data, ctx);

  const common = {
    DBInstanceClass: data.instanceClass,
    MultiAZ: data.multiAz,
    DBSubnetGroupName: data.subnetGroup,
    VpcSecurityGroupIds: data.securityGroups?.length ? data.securityGroups : undefined,
    DBParameterGroupName: data.parameterGroup,
    CopyTagsToSnapshot: true,
    Tags: [
      { Key: ROLLBACK_TAG, Value: ctx.rollbackId },
      { Key: 'rewind:source', Value: data.source },
    ],
  };
  try {
    if (data.mode === 'pitr') {
      await rds.send(
        new RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: data.source,
          TargetDBInstanceIdentifier: data.targetInstance,
          RestoreTime: new Date(data.restoreTime!),
          ...common,
        }),
        { abortSignal: ctx.signal },
      );
    } else {
      await rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({ DBSnapshotIdentifier: data.snapshotId, DBInstanceIdentifier: data.targetInstance, ...common }),
        { abortSignal: ctx.signal },
      );
    }
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    if ((error as Error).name === 'DBInstanceAlreadyExistsFault') {
      const raced = await findInstance(rds, data.targetInstance, ctx.signal);
      if (raced) return adopt(raced, data, ctx);
    }
    throw fromAwsError(error, data.mode === 'pitr' ? 'RestoreDBInstanceToPointInTime' : 'RestoreDBInstanceFromDBSnapshot', RESTORE_HINT);
  }
  const from = data.mode === 'pitr' ? `${data.source} at ${utc(data.restoreTime!)}` : `snapshot ${data.snapshotId}`;
  ctx.progress(`restore of ${from} into ${data.targetInstance} started`);
  return { instance: data.targetInstance, status: 'creating', adopted: false };
}

/** `aws rds wait db-instance-available`, with progress lines and a clear end for dead-end states. */
export async function waitAvailable(
  rds: RDSClient,
  data: DatabasePlanData,
  ctx: StepContext<DatabaseTarget>,
  minDelaySec: number,
): Promise<Record<string, unknown>> {
  const delay = Math.max(ctx.target.pollInterval / 1000, minDelaySec);
  const maxWaitTime = Math.max(ctx.target.availableTimeout / 1000, 2 * delay);
  let last: DBInstance | undefined;
  let lastStatus = '';

  const check = async (): Promise<{ state: WaiterState; reason?: string }> => {
    try {
      last = await findInstance(rds, data.targetInstance, ctx.signal);
    } catch (error) {
      if (error instanceof StepFailed && !error.permanent) {
        ctx.log.warn({ err: error }, 'DescribeDBInstances failed while waiting for the restore; polling again');
        return { state: WaiterState.RETRY };
      }
      throw error;
    }
    if (!last) {
      throw new StepFailed(
        'RestoredInstanceGone',
        `${data.targetInstance} disappeared while Rewind waited for it to become available.`,
        `find out who deleted it (CloudTrail: DeleteDBInstance), then ask for a new plan`,
      );
    }
    const status = last.DBInstanceStatus ?? 'unknown';
    if (status !== lastStatus) {
      lastStatus = status;
      ctx.progress(`${data.targetInstance}: ${status} (${formatDuration(Date.now() - ctx.firstStartedAt.getTime())})`);
    }
    if (status === 'available' && last.Endpoint?.Address) return { state: WaiterState.SUCCESS, reason: status };
    if (DEAD_ENDS.has(status)) return { state: WaiterState.FAILURE, reason: status };
    return { state: WaiterState.RETRY, reason: status };
  };

  const result = await createWaiter({ client: rds, abortSignal: ctx.signal, minDelay: delay, maxDelay: delay, maxWaitTime }, undefined, check);
  if (result.state === WaiterState.SUCCESS && last?.Endpoint?.Address) {
    return { instance: data.targetInstance, endpoint: last.Endpoint.Address, port: last.Endpoint.Port };
  }
  if (result.state === WaiterState.ABORTED) ctx.signal.throwIfAborted();
  if (result.state === WaiterState.FAILURE) {
    throw new StepFailed(
      'RestoreFailed',
      `RDS could not finish restoring ${data.targetInstance}: it is ${lastStatus}. The app still uses ${data.source}, which was not changed.`,
      `read the instance's events: aws rds describe-events --source-type db-instance --source-identifier ${data.targetInstance}${regionFlag(data)}; delete ${data.targetInstance} once understood, then ask for a new plan`,
    );
  }
  throw new StepFailed(
    'RestoreTimeout',
    `${data.targetInstance} is still ${lastStatus || 'not visible'} after ${formatDuration(ctx.target.availableTimeout)}. The app still uses ${data.source}.`,
    `RDS may still be restoring (large databases take long): watch it with ${describeCommand(data)}; retrying the rollback keeps waiting for the same instance, it does not restore again.`,
  );
}
