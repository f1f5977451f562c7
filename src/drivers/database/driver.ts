import { databaseReadiness } from './readiness.js';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DriverInstance, HistoryEntry } from '../driver.js';
import { dependentOfStep, restartDependent, type RestartClients } from '../shared/restart/restart.js';
import { driftDatabase } from './drift.js';
import { planDatabase } from './plan.js';
import { REDEPLOY_STEP, RESTORE_STEP, SECRET_STEP, utc, WAIT_STEP, type DatabasePlanData } from './plan-data.js';
import { listSnapshots } from './rds.js';
import { databaseNextSteps, replanDatabase } from './replan.js';
import { restore, waitAvailable } from './restore.js';
import { pointSecret } from './secret.js';
import type { DatabaseTarget } from './target.js';
import { databaseVersions } from './versions.js';

export interface DatabaseDriverDeps {
  /** Clients for a region (undefined: the default chain's region), like the ECS driver's. */
  rds: (region?: string) => RDSClient;
  secrets: (region?: string) => SecretsManagerClient;
  /** ECS and Kubernetes clients for restarting the dependents. */
  restart: RestartClients;
  /** The catalog's top-level `rpo` in ms, for targets without their own. */
  rpo: number;
  /** Floor for poll intervals in seconds (default 1) so a catalog typo cannot hammer AWS. */
  minPollSec?: number;
  now?: () => Date;
}

/** Both runbooks' "Point-in-Time Recovery" and "Full Database Restore": restore to a new instance, wait, repoint the secret, restart dependents (ECS or Kubernetes). */
export function createDatabaseDriver(deps: DatabaseDriverDeps): DriverInstance<DatabaseTarget, DatabasePlanData> {
  const minDelaySec = deps.minPollSec ?? 1;
  const now = deps.now ?? (() => new Date());
  return {
    plan: (request, ctx) => planDatabase({ rds: deps.rds(request.target.region), restart: deps.restart, rpo: deps.rpo, now }, request, ctx),
    drift: (data, _target, ctx) => driftDatabase(deps.rds(data.region), data, now(), ctx),
    async history(target, ctx): Promise<HistoryEntry[]> {
      const snapshots = await listSnapshots(deps.rds(target.region), target.instance, ctx.signal);
      // `/rollback <db> <env> snapshots` and `/rollback history <db> <env>`: newest first, each restorable one with its command.
      return snapshots.map((s) => ({
        revision: s.id,
        description: `${s.type}, taken ${utc(s.createdAt)}${s.status === 'available' ? '' : ` (${s.status}, not restorable yet)`}`,
        createdAt: s.createdAt,
        current: false,
        ...(s.status === 'available' ? { command: `snapshot ${s.id}` } : {}),
      }));
    },
    versions: (target, ctx) => databaseVersions(deps.rds(target.region), target, ctx),
    readiness: (target, ctx) => databaseReadiness(deps.rds(target.region), target, ctx),
    steps: {
      [RESTORE_STEP]: (ctx) => restore(deps.rds(ctx.data.region), ctx.data, ctx),
      [WAIT_STEP]: (ctx) => waitAvailable(deps.rds(ctx.data.region), ctx.data, ctx, minDelaySec),
      [SECRET_STEP]: (ctx) => pointSecret(deps.rds(ctx.data.region), deps.secrets(ctx.data.region), ctx.data, ctx),
      // One per dependent: `redeploy-1`, `redeploy-2`, ...
      [REDEPLOY_STEP]: (ctx) =>
        restartDependent(dependentOfStep(ctx.data.dependents, ctx.step.id), deps.restart, ctx, {
          timeoutMs: ctx.target.stableTimeout,
          timeoutKey: 'stableTimeout',
          pollMs: ctx.target.pollInterval,
          minPollSec: minDelaySec,
          region: ctx.data.region,
          story: {
            purpose: `onto ${ctx.data.targetInstance}`,
            stale: `still use ${ctx.data.source}`,
            check: `if tasks cannot connect, check ${ctx.data.targetInstance}'s security groups and the secret`,
          },
        }),
    },
    replan: replanDatabase,
    nextSteps: databaseNextSteps,
  };
}
