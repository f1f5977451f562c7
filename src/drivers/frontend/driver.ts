import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DriverInstance, HistoryEntry } from '../driver.js';
import { serviceCommand } from '../replan.js';
import { driftFrontend } from './drift.js';
import { invalidate } from './invalidate.js';
import { listVersions } from './listing.js';
import { findLiveVersion } from './live-version.js';
import { INVALIDATE_STEP, planFrontend, SYNC_STEP } from './plan.js';
import { s3Url, type FrontendPlanData } from './plan-data.js';
import { syncVersion } from './sync.js';
import type { FrontendTarget } from './target.js';

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

    async history(target, ctx) {
      const s3 = deps.s3(target.region);
      const versions = await listVersions(s3, target.versions.bucket, target.versions.prefix, target.concurrency, ctx.signal);
      const live = (await findLiveVersion(s3, target, versions, ctx.signal)).version;
      return versions.map((v): HistoryEntry => ({
        revision: v.name,
        description: s3Url(target.versions.bucket, `${target.versions.prefix}${v.name}/`),
        ...(v.date ? { createdAt: v.date.toISOString() } : {}),
        current: v.name === live,
      }));
    },
  };
}
