import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { FrontendTarget } from '../../config/targets/frontend.js';
import type { Plan } from '../../domain/rollback.js';
import type { Driver, DriverContext, HistoryEntry } from '../driver.js';
import { fromAwsError, PlanRefused, StepFailed } from '../errors.js';
import { invalidate } from './invalidate.js';
import { listVersions } from './listing.js';
import { readMarker } from './marker.js';
import { INVALIDATE_STEP, planFrontend, SYNC_STEP } from './plan.js';
import { readPlanData, s3Url, versionPrefix } from './plan-data.js';
import { syncVersion } from './sync.js';

export interface FrontendDriverDeps {
  /** An S3 client for a region (undefined: the default chain's region). */
  s3: (region?: string) => S3Client;
  cloudfront: CloudFrontClient;
  /** Floor for the invalidation poll interval in seconds (default 1). Tests lower it. */
  minDelaySec?: number;
}

/** The DistroCV "Frontend Rollback (CloudFront + S3)" runbook: sync a kept version into the live bucket, then invalidate. */
export function createFrontendDriver(deps: FrontendDriverDeps): Driver<FrontendTarget> {
  const minDelaySec = deps.minDelaySec ?? 1;
  return {
    kind: 'frontend',
    plan: (request, ctx) => planFrontend(deps.s3(request.target.region), request, ctx),

    async drift(plan: Plan, _target: FrontendTarget, ctx: DriverContext) {
      const data = readPlanData(plan);
      const s3 = deps.s3(data.region);
      let live: string | null;
      try {
        live = (await readMarker(s3, data.liveBucket, data.livePrefix, ctx.signal))?.version ?? null;
      } catch (error) {
        if (error instanceof PlanRefused) return error.message;
        throw error;
      }
      if (live !== data.liveVersion) {
        return `the live version is now ${live ?? 'unknown (marker removed)'}; it was ${data.liveVersion ?? 'unknown'} at plan time (someone deployed or rolled back meanwhile)`;
      }
      const prefix = versionPrefix(data, data.targetVersion);
      const page = await s3.send(new ListObjectsV2Command({ Bucket: data.versionsBucket, Prefix: prefix, MaxKeys: 1 }), { abortSignal: ctx.signal }).catch((error: unknown) => {
        throw fromAwsError(error, `ListObjectsV2 on ${s3Url(data.versionsBucket, prefix)}`, 'check that Rewind may s3:ListBucket on the versions bucket');
      });
      return page.KeyCount ? undefined : `${s3Url(data.versionsBucket, prefix)} is now empty: the version was deleted`;
    },

    async runStep(ctx) {
      const data = readPlanData(ctx.plan);
      switch (ctx.step.id) {
        case SYNC_STEP:
          return syncVersion(deps.s3(data.region), data, ctx);
        case INVALIDATE_STEP:
          return invalidate(deps.cloudfront, data, ctx, minDelaySec);
        default:
          throw new StepFailed('UnknownStep', `The frontend driver has no step "${ctx.step.id}".`, 'ask for a new plan; this plan was made by another Rewind version');
      }
    },

    async history(target, ctx) {
      const s3 = deps.s3(target.region);
      const [versions, marker] = await Promise.all([
        listVersions(s3, target.versions.bucket, target.versions.prefix, target.concurrency, ctx.signal),
        readMarker(s3, target.live.bucket, target.live.prefix, ctx.signal).catch(() => undefined),
      ]);
      return versions.map(
        (v): HistoryEntry => ({
          revision: v.name,
          description: s3Url(target.versions.bucket, `${target.versions.prefix}${v.name}/`),
          ...(v.date ? { createdAt: v.date.toISOString() } : {}),
          current: v.name === marker?.version,
        }),
      );
    },
  };
}
