import type { ECSClient } from '@aws-sdk/client-ecs';
import type { DriverInstance } from '../driver.js';
import { serviceCommand } from '../replan.js';
import { driftEcs } from './drift.js';
import { UPDATE_STEP, WAIT_STEP, planEcs } from './plan.js';
import type { EcsPlanData } from './plan-data.js';
import { ecsReadiness } from './readiness.js';
import type { EcsTarget } from './target.js';
import { updateService } from './update-service.js';
import { ecsHistory } from './version-history.js';
import { waitStable } from './wait-stable.js';

export interface EcsDriverDeps {
  /** An ECS client for a region (undefined: the default chain's region). */
  ecs: (region?: string) => ECSClient;
  /** Floor for the wait-stable poll interval in seconds (default 1). */
  minPollSec?: number;
}

/** The DistroCV "Application Rollback (ECS)" runbook: UpdateService to an earlier task definition, then wait for steady state. */
export function createEcsDriver(deps: EcsDriverDeps): DriverInstance<EcsTarget, EcsPlanData> {
  const minDelaySec = deps.minPollSec ?? 1;
  return {
    plan: (request, ctx) => planEcs(deps.ecs(request.target.region), request, ctx),
    drift: (data, _target, ctx) => driftEcs(deps.ecs(data.region), data, ctx),
    history: (target, ctx) => ecsHistory(deps.ecs(target.region), target, ctx),
    readiness: (target, ctx) => ecsReadiness(deps.ecs(target.region), target, ctx),
    steps: {
      [UPDATE_STEP]: (ctx) => updateService(deps.ecs(ctx.data.region), ctx.data, ctx),
      [WAIT_STEP]: (ctx) => waitStable(deps.ecs(ctx.data.region), ctx.data, ctx, minDelaySec),
    },
    replan: serviceCommand,
  };
}
