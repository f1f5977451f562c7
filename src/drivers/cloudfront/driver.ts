import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DriverInstance, HistoryEntry } from '../driver.js';
import { StepFailed } from '../errors.js';
import { serviceCommand } from '../replan.js';
import { backupUrl, listBackups } from './backups.js';
import { changedSincePlanning, readLiveConfig } from './distribution.js';
import { DISABLED, planCloudFront, UPDATE_STEP, WAIT_STEP } from './plan.js';
import type { CloudFrontPlanData } from './plan-data.js';
import type { CloudFrontTarget } from './target.js';
import { cloudfrontReadiness } from './readiness.js';
import { updateStep } from './update.js';
import { waitDeployed } from './wait.js';

export interface CloudFrontDriverDeps {
  cloudfront: CloudFrontClient;
  /** An S3 client for the backup bucket's region (undefined: the default chain's region). */
  s3: (region?: string) => S3Client;
  /** Floor for the GetDistribution poll interval in seconds (default 1). */
  minPollSec?: number;
}

/** The Skillancer "CDN/DNS Rollback" runbook's CloudFront half: restore a distribution's config from a backup, or disable it. */
export function createCloudFrontDriver(deps: CloudFrontDriverDeps): DriverInstance<CloudFrontTarget, CloudFrontPlanData> {
  const minDelaySec = deps.minPollSec ?? 1;
  return {
    plan: (request, ctx) => planCloudFront(deps, request, ctx),

    async drift(data, _target, ctx) {
      try {
        const live = await readLiveConfig(deps.cloudfront, data.distributionId, ctx.signal);
        return live.etag === data.etag ? undefined : changedSincePlanning(data.distributionId, data.etag, live.etag);
      } catch (error) {
        if (error instanceof StepFailed && error.code === 'NoSuchDistribution') return `CloudFront distribution ${data.distributionId} no longer exists`;
        throw error;
      }
    },

    async history(target, ctx) {
      const live = await readLiveConfig(deps.cloudfront, target.distributionId, ctx.signal);
      const disabled: HistoryEntry = {
        revision: DISABLED,
        description: `disable ${target.distributionId} (its live config with Enabled=false)`,
        current: live.config.Enabled === false,
      };
      if (!target.backup) return [disabled];
      const place = { bucket: target.backup.bucket, key: target.backup.key };
      const versions = await listBackups(deps.s3(target.backup.region), place, ctx.signal);
      // `disabled` first: the lists that show history cut the oldest versions, never this lever.
      return [
        disabled,
        ...versions.map((v): HistoryEntry => ({
          revision: v.versionId,
          description: `${backupUrl(place)}${v.latest ? ' (latest)' : ''}`,
          ...(v.lastModified ? { createdAt: v.lastModified.toISOString() } : {}),
          current: false,
        })),
      ];
    },

    readiness: (target, ctx) => cloudfrontReadiness(deps.s3, target, ctx),

    steps: {
      [UPDATE_STEP]: (ctx) => updateStep(deps, ctx),
      [WAIT_STEP]: (ctx) => waitDeployed(deps.cloudfront, ctx, minDelaySec),
    },
    // `to <version>` and `to disabled` travel as the requested version, so the plain service command repeats them.
    replan: serviceCommand,
    nextSteps: (rb) =>
      `Then fix forward, restore another backup with \`/rollback ${rb.service} ${rb.environment} to <version>\` (\`/rollback history ${rb.service} ${rb.environment}\` lists them), or take the distribution offline with \`/rollback ${rb.service} ${rb.environment} to ${DISABLED}\`.`,
  };
}
