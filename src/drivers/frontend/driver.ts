import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DriverInstance } from '../driver.js';
import { serviceCommand } from '../replan.js';
import { driftFrontend } from './drift.js';
import { invalidate } from './invalidate.js';
import { INVALIDATE_STEP, planFrontend, SYNC_STEP } from './plan.js';
import type { FrontendPlanData } from './plan-data.js';
import { syncVersion } from './sync.js';
import type { FrontendTarget } from './target.js';
import { frontendHistory } from './history.js';
import { frontendVersions } from './versions.js';
import { frontendReadiness } from './readiness.js';

export interface FrontendDriverDeps {
  /** An S3 client for a region (undefined: the default chain's region). */
  s3: (region?: string) => S3Client;
  cloudfront: CloudFrontClient;
  /** Floor for the invalidation poll interval in seconds (default 1). */
  minPollSec?: number;
}

/** The DistroCV "Frontend Rollback (CloudFront + S3)" runbook: sync a kept version into the live bucket, then invalidate. */
export function createFrontendDriver(deps: FrontendDriverDeps): DriverInstance<FrontendTarget, FrontendPlanData> {
  const minDelaySec = deps.minPollSec ?? 1;
  return {
    plan: (request, ctx) => planFrontend(deps.s3(request.target.region), request, ctx),
    drift: (data, _target, ctx) => driftFrontend(deps.s3(data.region), data, ctx),
    steps: {
      [SYNC_STEP]: (ctx) => syncVersion(deps.s3(ctx.data.region), ctx.data, ctx),
      [INVALIDATE_STEP]: (ctx) => invalidate(deps.cloudfront, ctx.data, ctx, minDelaySec),
    },
    replan: serviceCommand,
    history: (target, ctx) => frontendHistory(deps.s3(target.region), target, ctx),
    versions: (target, ctx) => frontendVersions(deps.s3(target.region), target, ctx),
    readiness: (target, ctx) => frontendReadiness(deps.s3(target.region), target, ctx),
  };
}
