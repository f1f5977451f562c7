import { createHash } from 'node:crypto';
import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { formatDuration } from '../../domain/duration.js';
import type { Plan, PlanStep } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest } from '../driver.js';
import { PlanRefused } from '../errors.js';
import { dependentLabel, restartTitle } from '../shared/restart/dependents.js';
import { dependentProblem, type RestartClients } from '../shared/restart/restart.js';
import { findInstance, findSnapshot, listSnapshots } from './rds.js';
import type { DatabaseTarget } from './target.js';
import { dataLoss, describeWindow, restoreWindow, windowChoices } from './window.js';
import { REDEPLOY_STEP, RESTORE_STEP, ROLLBACK_TAG, SECRET_STEP, utc, WAIT_STEP, type DatabasePlanData } from './plan-data.js';

export const DB_USAGE = 'Say what to restore: `at 2026-01-22T10:00Z`, `at -15m`, or `snapshot <id>` (`snapshots` lists them).';

/** The options ./grammar.ts produces; validated again here because they came from Slack. */
const options = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('pitr'), restoreTime: z.iso.datetime({ offset: true }) }),
  z.object({ mode: z.literal('snapshot'), snapshotId: z.string().regex(/^(rds:)?[A-Za-z][A-Za-z0-9-]{0,254}$/) }),
  z.object({ mode: z.literal('list-snapshots') }),
]);

export interface PlanDeps {
  rds: RDSClient;
  /** For checking that the dependents exist. */
  restart: RestartClients;
  /** The catalog's top-level RPO, used when the target sets none. */
  rpo: number;
  now: () => Date;
}

const RDS_ID = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/;

/** `{instance}-rb-{n}` → `distrocv-prod-rb-42`: the same name every time this rollback is planned or repeated. */
export function targetInstanceName(pattern: string, instance: string, rollbackId: string): string {
  const n = /(\d+)$/.exec(rollbackId)?.[1] ?? rollbackId;
  const name = pattern.replaceAll('{instance}', instance).replaceAll('{n}', n).replaceAll('{id}', rollbackId.toLowerCase());
  if (!RDS_ID.test(name)) {
    throw new PlanRefused(
      `The restored instance would be named "${name}", which RDS refuses (a letter, then letters, digits and single dashes, at most 63 characters). Fix targetName for ${instance} in the catalog.`,
    );
  }
  return name;
}

function fingerprint(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

async function snapshotChoices(rds: RDSClient, instance: string, signal: AbortSignal): Promise<string[]> {
  const snapshots = await listSnapshots(rds, instance, signal, 5);
  return snapshots.filter((s) => s.status === 'available').map((s) => `snapshot ${s.id}`);
}

function instanceShape(target: DatabaseTarget, source: DBInstance | undefined) {
  return {
    instanceClass: target.instanceClass ?? source?.DBInstanceClass,
    multiAz: target.multiAz ?? source?.MultiAZ,
    subnetGroup: target.subnetGroup ?? source?.DBSubnetGroup?.DBSubnetGroupName,
    securityGroups: target.securityGroups ?? source?.VpcSecurityGroups?.flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [])),
    parameterGroup: source?.DBParameterGroups?.[0]?.DBParameterGroupName,
  };
}

function shapeLabel(shape: { instanceClass?: string; multiAz?: boolean }): string {
  const az = shape.multiAz === undefined ? 'AZ setting of the snapshot' : shape.multiAz ? 'Multi-AZ' : 'Single-AZ';
  return `${shape.instanceClass ?? 'class of the snapshot'}, ${az}`;
}

export async function planDatabase(deps: PlanDeps, request: PlanRequest<DatabaseTarget>, ctx: DriverContext): Promise<Plan> {
  const { target, rollbackId } = request;
  const parsed = options.safeParse(request.options ?? {});
  if (!parsed.success) throw new PlanRefused(`A database rollback needs a restore point. ${DB_USAGE}`);
  const want = parsed.data;
  if (want.mode === 'list-snapshots') {
    const choices = await snapshotChoices(deps.rds, target.instance, ctx.signal);
    throw new PlanRefused(`Listing snapshots is not a rollback: pick one and ask again with \`snapshot <id>\`.`, choices);
  }

  const now = deps.now();
  const rpo = target.rpo ?? deps.rpo;
  const targetInstance = targetInstanceName(target.targetName, target.instance, rollbackId);
  const source = await findInstance(deps.rds, target.instance, ctx.signal);
  const existing = await findInstance(deps.rds, targetInstance, ctx.signal);
  if (existing && existing.TagList?.find((t) => t.Key === ROLLBACK_TAG)?.Value !== rollbackId) {
    throw new PlanRefused(
      `An RDS instance named ${targetInstance} already exists and was not restored by ${rollbackId}. Rename or delete it, or change targetName for ${target.instance} in the catalog.`,
    );
  }

  let pointInTime: Date;
  let restoreLine: string;
  let targetLabel: string;
  const data: Partial<DatabasePlanData> = {};
  if (want.mode === 'pitr') {
    if (!source) {
      throw new PlanRefused(
        `RDS instance ${target.instance} was not found${target.region ? ` in ${target.region}` : ''}, so there is no point-in-time window. Check \`instance\` in the catalog, or restore a snapshot (\`snapshots\` lists them).`,
      );
    }
    const window = restoreWindow(
      { latestRestorableTime: source.LatestRestorableTime, retentionDays: source.BackupRetentionPeriod ?? 0, createdAt: source.InstanceCreateTime },
      now,
    );
    if ('unavailable' in window) {
      throw new PlanRefused(
        `${target.instance} cannot be restored to a point in time: ${window.unavailable}. Restore a snapshot instead.`,
        await snapshotChoices(deps.rds, target.instance, ctx.signal),
      );
    }
    pointInTime = new Date(want.restoreTime);
    if (pointInTime < window.earliest || pointInTime > window.latest) {
      const why =
        pointInTime > window.latest
          ? 'RDS can only restore up to its latest restorable time, usually about 5 minutes ago'
          : 'it is older than the backups RDS keeps';
      throw new PlanRefused(
        `${utc(pointInTime)} is outside the restorable window of ${target.instance}: ${describeWindow(window, source.BackupRetentionPeriod ?? 0)}; ${why}. Pick a time inside the window.`,
        windowChoices(window),
      );
    }
    data.restoreTime = pointInTime.toISOString();
    restoreLine = `restore point: ${utc(pointInTime)} (window ${utc(window.earliest)} → ${utc(window.latest)})`;
    targetLabel = `${targetInstance} @ ${utc(pointInTime)}`;
  } else {
    const snapshot = await findSnapshot(deps.rds, want.snapshotId, ctx.signal);
    if (!snapshot) {
      throw new PlanRefused(
        `There is no RDS snapshot ${want.snapshotId}. Pick one of ${target.instance}'s snapshots:`,
        await snapshotChoices(deps.rds, target.instance, ctx.signal),
      );
    }
    if (snapshot.DBInstanceIdentifier !== target.instance) {
      throw new PlanRefused(
        `Snapshot ${want.snapshotId} is of ${snapshot.DBInstanceIdentifier ?? 'another instance'}, not ${target.instance}. Pick one of ${target.instance}'s snapshots:`,
        await snapshotChoices(deps.rds, target.instance, ctx.signal),
      );
    }
    if (snapshot.Status !== 'available' || !snapshot.SnapshotCreateTime) {
      throw new PlanRefused(
        `Snapshot ${want.snapshotId} is ${snapshot.Status ?? 'in an unknown state'}, not available: wait for it or pick another.`,
        await snapshotChoices(deps.rds, target.instance, ctx.signal),
      );
    }
    pointInTime = snapshot.SnapshotCreateTime;
    data.snapshotId = want.snapshotId;
    restoreLine = `snapshot: ${want.snapshotId} (${snapshot.SnapshotType ?? 'manual'}, taken ${utc(pointInTime)})`;
    targetLabel = `${targetInstance} from snapshot ${want.snapshotId}`;
  }

  for (const d of target.dependents) {
    const problem = await dependentProblem(d, deps.restart, target.region, ctx.signal);
    if (problem) throw new PlanRefused(`${problem}: fix dependents for ${target.instance} in the catalog, Rewind would restart it after the restore.`);
  }

  const shape = instanceShape(target, source);
  const loss = dataLoss(pointInTime, now, rpo);
  const planData: DatabasePlanData = {
    mode: want.mode,
    rollbackId,
    region: target.region,
    source: target.instance,
    sourceResourceId: source?.DbiResourceId,
    targetInstance,
    ...data,
    ...shape,
    secretId: target.secret.id,
    hostField: target.secret.hostField,
    dependents: target.dependents,
  };

  const steps: PlanStep[] = [
    {
      id: RESTORE_STEP,
      title:
        want.mode === 'pitr'
          ? `Restore ${target.instance} to ${utc(pointInTime)} into new instance ${targetInstance} (${shapeLabel(shape)})`
          : `Restore snapshot ${data.snapshotId} into new instance ${targetInstance} (${shapeLabel(shape)})`,
      driver: 'database',
    },
    { id: WAIT_STEP, title: `Wait until ${targetInstance} is available (up to ${formatDuration(target.availableTimeout)})`, driver: 'database' },
    {
      id: SECRET_STEP,
      title: `Point secret ${target.secret.id} (field "${target.secret.hostField}") at ${targetInstance}, keeping its other fields`,
      driver: 'database',
    },
    ...target.dependents.map((d, i) => ({ id: `${REDEPLOY_STEP}-${i + 1}`, title: restartTitle(d, target.stableTimeout), driver: 'database' })),
  ];

  const warnings = [
    `Data rollback: the old instance ${target.instance} is kept, not deleted. It keeps running (and billing) until someone deletes it by hand after the restore is confirmed.`,
  ];
  if (loss.overRpo) {
    warnings.push(
      `Data loss of at least ${formatDuration(loss.ms)} exceeds the ${formatDuration(rpo)} RPO: everything written after ${utc(pointInTime)} will be missing.`,
    );
  }
  if (target.dependents.length === 0) {
    warnings.push(`No dependents are listed for ${target.instance}: applications keep using ${target.instance} until they are restarted.`);
  }

  return {
    driver: 'database',
    current: source
      ? `${target.instance} (${source.DBInstanceClass ?? 'unknown class'}, ${source.MultiAZ ? 'Multi-AZ' : 'Single-AZ'})`
      : `${target.instance} (not found)`,
    target: targetLabel,
    changes: [
      restoreLine,
      `new instance: ${targetInstance} (${shapeLabel(shape)}); ${target.instance} is kept${existing ? `; ${targetInstance} already exists from an earlier attempt and is adopted` : ''}`,
      loss.line,
      `secret ${target.secret.id}: "${target.secret.hostField}" → endpoint of ${targetInstance}`,
      ...(target.dependents.length ? [`restart: ${target.dependents.map(dependentLabel).join(', ')}`] : []),
    ],
    steps,
    fingerprint: fingerprint({ source: source?.DbiResourceId ?? null, mode: want.mode, at: data.restoreTime ?? data.snapshotId, targetInstance }),
    data: planData,
    warnings,
    result:
      want.mode === 'pitr'
        ? `${target.instance} restored to ${utc(pointInTime)} as ${targetInstance}`
        : `snapshot ${data.snapshotId} of ${target.instance} restored as ${targetInstance}`,
  };
}
