import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EcsTarget } from '../config/targets/ecs.js';
import type { Driver } from './driver.js';
import { StepFailed } from './errors.js';
import { driftEcs } from './ecs/drift.js';
import { planEcs, UPDATE_STEP, WAIT_STEP } from './ecs/plan.js';
import { readPlanData } from './ecs/plan-data.js';
import { updateService } from './ecs/update-service.js';
import { ecsHistory } from './ecs/version-history.js';
import { waitStable } from './ecs/wait-stable.js';

export interface EcsDriverDeps {
  /** An ECS client for a region (undefined: the default chain's region). */
  ecs: (region?: string) => ECSClient;
  /**
   * Floor for the wait-stable poll interval in seconds (default 1), so a catalog's
   * `pollInterval: 10ms` cannot hammer the ECS API. Tests lower it.
   */
  minDelaySec?: number;
}

/** The DistroCV "Application Rollback (ECS)" runbook: UpdateService to an earlier task definition, then wait for steady state. */
export function createEcsDriver(deps: EcsDriverDeps): Driver<EcsTarget> {
  const minDelaySec = deps.minDelaySec ?? 1;
  return {
    kind: 'ecs',
    plan: (request, ctx) => planEcs(deps.ecs(request.target.region), request, ctx),
    drift: (plan, _target, ctx) => driftEcs(deps.ecs(readPlanData(plan).region), plan, ctx),
    history: (target, ctx) => ecsHistory(deps.ecs(target.region), target, ctx),
    async runStep(ctx) {
      const data = readPlanData(ctx.plan);
      const ecs = deps.ecs(data.region);
      switch (ctx.step.id) {
        case UPDATE_STEP:
          return updateService(ecs, data, ctx);
        case WAIT_STEP:
          return waitStable(ecs, data, ctx, minDelaySec);
        default:
          throw new StepFailed('UnknownStep', `The ECS driver has no step "${ctx.step.id}".`, 'ask for a new plan; this plan was made by another Rewind version');
      }
    },
  };
}
