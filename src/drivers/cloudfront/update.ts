import { CloudFrontServiceException, UpdateDistributionCommand, type CloudFrontClient, type DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { StepContext } from '../driver.js';
import { fromAwsError, StepFailed } from '../errors.js';
import { serviceCommand } from '../replan.js';
import { backupUrl, fetchBackup } from './backups.js';
import { configDigest, parseBackup } from './config.js';
import { changedSincePlanning, IAM_HINT, readLiveConfig, type LiveConfig } from './distribution.js';
import type { CloudFrontPlanData } from './plan-data.js';
import type { CloudFrontTarget } from './target.js';

export interface UpdateDeps {
  cloudfront: CloudFrontClient;
  s3: (region?: string) => S3Client;
}

type UpdateContext = StepContext<CloudFrontTarget, CloudFrontPlanData>;

const askAgain = (data: CloudFrontPlanData) => `ask for a fresh plan against the live config: \`${serviceCommand(data)}\``;

/** The approved config again, from its source; it must be the one whose digest the approvers saw. */
async function approvedConfig(deps: UpdateDeps, data: CloudFrontPlanData, live: LiveConfig, signal: AbortSignal): Promise<DistributionConfig> {
  const { source } = data;
  let config: DistributionConfig;
  let from: string;
  if (source.kind === 'disabled') {
    config = { ...live.config, Enabled: false };
    from = `the live config of ${data.distributionId} with Enabled=false`;
  } else {
    from = `${backupUrl(source)} version ${source.versionId}`;
    const parsed = parseBackup(
      await fetchBackup(deps.s3(source.region), source, source.versionId, `/rollback history ${data.service} ${data.environment}`, signal),
    );
    if ('problem' in parsed)
      throw new StepFailed('BackupInvalid', `${from} is not a usable CloudFront config backup any more: ${parsed.problem}.`, askAgain(data));
    config = parsed.config;
  }
  if (configDigest(config) !== data.digest) {
    throw new StepFailed('BackupChanged', `${from} is not the config that was approved (its digest differs), so Rewind changed nothing.`, askAgain(data));
  }
  return config;
}

async function update(deps: UpdateDeps, ctx: UpdateContext): Promise<string> {
  const { data } = ctx;
  const id = data.distributionId;
  const live = await readLiveConfig(deps.cloudfront, id, ctx.signal);
  if (live.etag !== data.etag) {
    // A repeat after a crash between UpdateDistribution and the checkpoint finds its own update live.
    if (configDigest(live.config) === data.digest) {
      ctx.log.info({ distributionId: id, etag: live.etag }, 'the approved config is live already: an earlier attempt applied it');
      return live.etag;
    }
    throw new StepFailed('PreconditionFailed', `${changedSincePlanning(id, data.etag, live.etag)}. Rewind changed nothing.`, askAgain(data));
  }
  const config = await approvedConfig(deps, data, live, ctx.signal);
  const result = await deps.cloudfront
    .send(new UpdateDistributionCommand({ Id: id, IfMatch: data.etag, DistributionConfig: config }), { abortSignal: ctx.signal })
    .catch((error: unknown) => {
      throw updateFailure(error, data);
    });
  // Not permanent: a retry reads the config again and recognises the update as done.
  if (!result.ETag)
    throw new StepFailed(
      'ETagMissing',
      `CloudFront accepted the update of ${id} but returned no ETag.`,
      'Rewind retries this step, which finds the update applied',
      false,
    );
  return result.ETag;
}

function updateFailure(error: unknown, data: CloudFrontPlanData): StepFailed {
  const id = data.distributionId;
  if (error instanceof CloudFrontServiceException && error.name === 'PreconditionFailed') {
    // Someone changed the distribution between the read above and the update.
    return new StepFailed(
      error.name,
      `CloudFront distribution ${id} changed while Rewind was updating it: ETag ${data.etag} is not current any more. Rewind changed nothing.`,
      askAgain(data),
    );
  }
  if (error instanceof CloudFrontServiceException && error.$metadata.httpStatusCode === 400) {
    const fix =
      data.source.kind === 'backup'
        ? `fix that backup, or pick another version (\`/rollback history ${data.service} ${data.environment}\`)`
        : 'disable it in the CloudFront console';
    return new StepFailed(error.name, `CloudFront refused ${data.targetLabel} for ${id}: ${error.message}`, `nothing was changed; ${fix}`);
  }
  return fromAwsError(error, `UpdateDistribution ${id}`, IAM_HINT);
}

/**
 * `aws cloudfront update-distribution --if-match <plan ETag>`, once: the new ETag is checkpointed,
 * so a repeat of the step never updates again.
 */
export async function updateStep(deps: UpdateDeps, ctx: UpdateContext): Promise<Record<string, unknown>> {
  const etag = await ctx.checkpoint('etag', () => update(deps, ctx));
  return { distributionId: ctx.data.distributionId, applied: ctx.data.targetLabel, etagBefore: ctx.data.etag, etag };
}
