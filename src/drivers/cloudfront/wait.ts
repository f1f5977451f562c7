import { GetDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { createWaiter, WaiterState } from '@smithy/core/client';
import { formatDuration } from '../../domain/duration.js';
import type { StepContext } from '../driver.js';
import { fromAwsError, StepFailed } from '../errors.js';
import { IAM_HINT } from './distribution.js';
import type { CloudFrontPlanData } from './plan-data.js';
import type { CloudFrontTarget } from './target.js';

/**
 * Polls GetDistribution every pollInterval until CloudFront reports Deployed (the AWS CLI's
 * `wait distribution-deployed` polls every 60 s), reporting each status change.
 */
export async function waitDeployed(
  cf: CloudFrontClient,
  ctx: StepContext<CloudFrontTarget, CloudFrontPlanData>,
  minDelaySec: number,
): Promise<Record<string, unknown>> {
  const id = ctx.data.distributionId;
  const started = Date.now();
  const delay = Math.max(ctx.target.pollInterval / 1000, minDelaySec);
  const maxWaitTime = Math.max(ctx.target.deployTimeout / 1000, 2 * delay);
  let status = 'unknown';
  const result = await createWaiter({ client: cf, abortSignal: ctx.signal, minDelay: delay, maxDelay: delay, maxWaitTime }, undefined, async () => {
    try {
      const got = await cf.send(new GetDistributionCommand({ Id: id }), { abortSignal: ctx.signal });
      const now = got.Distribution?.Status ?? 'unknown';
      if (now !== status && now !== 'Deployed') ctx.progress(`CloudFront ${id}: ${now}`);
      status = now;
      return { state: now === 'Deployed' ? WaiterState.SUCCESS : WaiterState.RETRY };
    } catch (error) {
      const failure = fromAwsError(error, `GetDistribution ${id}`, IAM_HINT);
      if (failure.permanent) throw failure;
      ctx.log.warn({ err: error }, 'GetDistribution failed while waiting; polling again');
      return { state: WaiterState.RETRY };
    }
  });
  if (result.state === WaiterState.ABORTED) ctx.signal.throwIfAborted();
  if (result.state !== WaiterState.SUCCESS) {
    throw new StepFailed(
      'DeployTimeout',
      `CloudFront distribution ${id} was still ${status} after ${formatDuration(ctx.target.deployTimeout)}: the update to ${ctx.data.targetLabel} is applied, and CloudFront is still propagating it to its edge locations.`,
      `nothing to undo; watch \`aws cloudfront get-distribution --id ${id} --query Distribution.Status\` until it says Deployed, then check the site by hand (Rewind's checks did not run). Raise deployTimeout in the catalog if deploys are often this slow.`,
    );
  }
  const took = Date.now() - started;
  ctx.progress(`CloudFront ${id}: Deployed after ${formatDuration(took)}`);
  return { distributionId: id, deployedAfterMs: took };
}
