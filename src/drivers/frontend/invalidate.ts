import { CreateInvalidationCommand, GetInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { createWaiter, WaiterState } from '@smithy/core/client';
import { formatDuration } from '../../domain/duration.js';
import type { StepContext } from '../driver.js';
import { fromAwsError, StepFailed } from '../errors.js';
import type { FrontendPlanData } from './plan-data.js';
import type { FrontendTarget } from './target.js';

const IAM_HINT = 'let Rewind cloudfront:CreateInvalidation and cloudfront:GetInvalidation on the distribution (docs/drivers/frontend.md, IAM)';

/** Same rollback + step → same reference, so CloudFront hands back the first invalidation on a repeat. */
export function callerReference(rollbackId: string, stepId: string): string {
  return `rewind-${rollbackId}-${stepId}`;
}

async function createInvalidation(cf: CloudFrontClient, data: FrontendPlanData, ctx: StepContext<FrontendTarget>): Promise<string> {
  try {
    const created = await cf.send(
      new CreateInvalidationCommand({
        DistributionId: data.distributionId,
        InvalidationBatch: { CallerReference: callerReference(ctx.rollbackId, ctx.step.id), Paths: { Quantity: data.paths.length, Items: data.paths } },
      }),
      { abortSignal: ctx.signal },
    );
    const id = created.Invalidation?.Id;
    if (!id)
      throw new StepFailed(
        'InvalidationMissing',
        `CloudFront accepted the invalidation on ${data.distributionId} but returned no id.`,
        "check the distribution's Invalidations tab",
        false,
      );
    return id;
  } catch (error) {
    if (error instanceof StepFailed) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchDistribution') {
      throw new StepFailed(
        name,
        `CloudFront has no distribution ${data.distributionId}.`,
        'fix distributionId in the catalog (CloudFront console, ID column); the files are already synced',
      );
    }
    if (name === 'TooManyInvalidationsInProgress') {
      throw new StepFailed(
        name,
        `CloudFront has too many invalidations in progress on ${data.distributionId}.`,
        'Rewind retries this step; the files are already synced',
        false,
      );
    }
    throw fromAwsError(error, `CreateInvalidation on ${data.distributionId}`, IAM_HINT);
  }
}

/**
 * Invalidates the configured paths and waits until CloudFront reports Completed, polling
 * every pollInterval (the AWS CLI waiter polls every 20 s). A repeat after a crash reuses
 * the checkpointed id; before the checkpoint, the caller reference returns the same invalidation.
 */
export async function invalidate(
  cf: CloudFrontClient,
  data: FrontendPlanData,
  ctx: StepContext<FrontendTarget>,
  minDelaySec: number,
): Promise<Record<string, unknown>> {
  const invalidationId = await ctx.checkpoint('invalidationId', () => createInvalidation(cf, data, ctx));
  ctx.progress(`CloudFront invalidation ${invalidationId} of ${data.paths.join(' ')}: in progress`);
  const started = Date.now();
  const delay = Math.max(ctx.target.pollInterval / 1000, minDelaySec);
  const maxWaitTime = Math.max(ctx.target.invalidationTimeout / 1000, 2 * delay);

  const result = await createWaiter({ client: cf, abortSignal: ctx.signal, minDelay: delay, maxDelay: delay, maxWaitTime }, undefined, async () => {
    try {
      const got = await cf.send(new GetInvalidationCommand({ DistributionId: data.distributionId, Id: invalidationId }), { abortSignal: ctx.signal });
      return { state: got.Invalidation?.Status === 'Completed' ? WaiterState.SUCCESS : WaiterState.RETRY };
    } catch (error) {
      const failure = fromAwsError(error, `GetInvalidation ${invalidationId} on ${data.distributionId}`, IAM_HINT);
      if (failure.permanent) throw failure;
      ctx.log.warn({ err: error }, 'GetInvalidation failed while waiting; polling again');
      return { state: WaiterState.RETRY };
    }
  });
  if (result.state === WaiterState.ABORTED) ctx.signal.throwIfAborted();
  if (result.state !== WaiterState.SUCCESS) {
    throw new StepFailed(
      'InvalidationTimeout',
      `CloudFront invalidation ${invalidationId} on ${data.distributionId} was not Completed after ${formatDuration(ctx.target.invalidationTimeout)}.`,
      "the files are live in S3 already; edge caches may serve the old version until it completes: check the distribution's Invalidations tab",
    );
  }
  const tookMs = Date.now() - started;
  ctx.progress(`CloudFront invalidation ${invalidationId}: completed in ${formatDuration(tookMs)}`);
  return { invalidationId, distributionId: data.distributionId, paths: data.paths };
}
