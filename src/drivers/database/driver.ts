import type { ECSClient } from '@aws-sdk/client-ecs';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DatabaseTarget } from '../../config/targets/database.js';
import type { Driver, DriverContext, HistoryEntry } from '../driver.js';
import { StepFailed } from '../errors.js';
import { driftDatabase } from './drift.js';
import { planDatabase } from './plan.js';
import { readPlanData, REDEPLOY_STEP, RESTORE_STEP, SECRET_STEP, utc, WAIT_STEP } from './plan-data.js';
import { listSnapshots, type SnapshotInfo } from './rds.js';
import { redeploy } from './redeploy.js';
import { restore, waitAvailable } from './restore.js';
import { pointSecret } from './secret.js';

export interface DatabaseDriverDeps {
  /** Clients for a region (undefined: the default chain's region), like the ECS driver's. */
  rds: (region?: string) => RDSClient;
  secrets: (region?: string) => SecretsManagerClient;
  ecs: (region?: string) => ECSClient;
  /** The catalog's top-level `rpo` in ms, for targets without their own. */
  rpo: number;
  /** Floor for poll intervals in seconds (default 1) so a catalog typo cannot hammer AWS; tests lower it. */
  minDelaySec?: number;
  now?: () => Date;
}

export interface DatabaseDriver extends Driver<DatabaseTarget> {
  /** `/rollback <service> <env> snapshots`: the instance's snapshots, newest first. */
  listSnapshots(target: DatabaseTarget, ctx: DriverContext): Promise<SnapshotInfo[]>;
}

/** Both runbooks' "Point-in-Time Recovery" and "Full Database Restore": restore to a new instance, wait, repoint the secret, restart dependents. */
export function createDatabaseDriver(deps: DatabaseDriverDeps): DatabaseDriver {
  const minDelaySec = deps.minDelaySec ?? 1;
  const now = deps.now ?? (() => new Date());
  const list = (target: DatabaseTarget, ctx: DriverContext) => listSnapshots(deps.rds(target.region), target.instance, ctx.signal);
  return {
    kind: 'database',
    plan: (request, ctx) =>
      planDatabase({ rds: deps.rds(request.target.region), ecs: deps.ecs(request.target.region), rpo: deps.rpo, now }, request, ctx),
    drift: (plan, _target, ctx) => driftDatabase(deps.rds(readPlanData(plan).region), plan, now(), ctx),
    listSnapshots: list,
    async history(target, ctx): Promise<HistoryEntry[]> {
      return (await list(target, ctx)).map((s) => ({ revision: s.id, description: `${s.type} snapshot taken ${utc(s.createdAt)} (${s.status})`, createdAt: s.createdAt, current: false }));
    },
    async runStep(ctx) {
      const data = readPlanData(ctx.plan);
      const rds = deps.rds(data.region);
      if (ctx.step.id === RESTORE_STEP) return restore(rds, data, ctx);
      if (ctx.step.id === WAIT_STEP) return waitAvailable(rds, data, ctx, minDelaySec);
      if (ctx.step.id === SECRET_STEP) return pointSecret(rds, deps.secrets(data.region), data, ctx);
      if (ctx.step.id.startsWith(`${REDEPLOY_STEP}-`)) return redeploy(deps.ecs(data.region), data, ctx, minDelaySec);
      throw new StepFailed('UnknownStep', `The database driver has no step "${ctx.step.id}".`, 'ask for a new plan; this plan was made by another Rewind version');
    },
  };
}
