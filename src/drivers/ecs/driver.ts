import { ROLLBACK_ID } from '../../domain/rollback.js';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { DriverInstance } from '../driver.js';
import { serviceCommand } from '../replan.js';
import { PlanRefused } from '../errors.js';
import { driftEcs } from './drift.js';
import { FORCE_STEP, forceDeployment, planKillStuck, WAIT_RESTORE_STEP, waitAndRestore } from './kill-stuck.js';
import { UPDATE_STEP, WAIT_STEP, planEcs } from './plan.js';
import type { EcsPlanData } from './plan-data.js';
import { ecsReadiness } from './readiness.js';
import type { EcsTarget } from './target.js';
import { updateService } from './update-service.js';
import { ecsHistory } from './version-history.js';
import { ecsVersions } from './versions.js';
import { waitStable } from './wait-stable.js';

export interface EcsDriverDeps {
  /** An ECS client for a region (undefined: the default chain's region). */
  ecs: (region?: string) => ECSClient;
  /** Floor for the wait-stable poll interval in seconds (default 1). */
  minPollSec?: number;
}

/**
 * The DistroCV "Application Rollback (ECS)" runbook: UpdateService to an earlier task definition, then wait for
 * steady state; and its cheat sheet's "Kill stuck deployment" when that wait is stuck (options.killStuck).
 */
export function createEcsDriver(deps: EcsDriverDeps): DriverInstance<EcsTarget, EcsPlanData> {
  const minDelaySec = deps.minPollSec ?? 1;
  return {
    async plan(request, ctx) {
      const of = request.options?.killStuck;
      if (of === undefined) return planEcs(deps.ecs(request.target.region), request, ctx);
      if (!ROLLBACK_ID.test(of)) throw new PlanRefused(`"${of}" is not a rollback id: \`/rollback kill-stuck RB-12\` names the stuck rollback.`);
      return planKillStuck(deps.ecs(request.target.region), request, of, ctx);
    },
    drift: (data, _target, ctx) => driftEcs(deps.ecs(data.region), data, ctx),
    history: (target, ctx) => ecsHistory(deps.ecs(target.region), target, ctx),
    versions: (target, ctx) => ecsVersions(deps.ecs(target.region), target, ctx),
    readiness: (target, ctx) => ecsReadiness(deps.ecs(target.region), target, ctx),
    steps: {
      [UPDATE_STEP]: (ctx) => updateService(deps.ecs(ctx.data.region), ctx.data, ctx),
      [WAIT_STEP]: (ctx) => waitStable(deps.ecs(ctx.data.region), ctx.data, ctx, minDelaySec),
      [FORCE_STEP]: (ctx) => forceDeployment(deps.ecs(ctx.data.region), ctx.data, ctx),
      [WAIT_RESTORE_STEP]: (ctx) => waitAndRestore(deps.ecs(ctx.data.region), ctx.data, ctx, minDelaySec),
    },
    replan: (rb) => (rb.options?.killStuck ? `/rollback kill-stuck ${rb.options.killStuck}` : serviceCommand(rb)),
  };
}
