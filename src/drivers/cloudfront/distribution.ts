import { CloudFrontServiceException, GetDistributionConfigCommand, type CloudFrontClient, type DistributionConfig } from '@aws-sdk/client-cloudfront';
import { fromAwsError, StepFailed } from '../errors.js';

export const IAM_HINT =
  'let Rewind cloudfront:GetDistributionConfig, cloudfront:UpdateDistribution and cloudfront:GetDistribution on the distribution (docs/drivers/cloudfront.md, IAM)';

export interface LiveConfig {
  /** The config's version: UpdateDistribution must name it in If-Match. */
  etag: string;
  config: DistributionConfig;
}

/** GetDistributionConfig: the live config and its ETag. */
export async function readLiveConfig(cf: CloudFrontClient, id: string, signal: AbortSignal): Promise<LiveConfig> {
  try {
    const got = await cf.send(new GetDistributionConfigCommand({ Id: id }), { abortSignal: signal });
    if (!got.ETag || !got.DistributionConfig) {
      throw new StepFailed(
        'ConfigMissing',
        `CloudFront answered GetDistributionConfig for ${id} without a config or an ETag.`,
        'try again in a minute; if it persists, check the distribution in the CloudFront console',
        false,
      );
    }
    return { etag: got.ETag, config: got.DistributionConfig };
  } catch (error) {
    if (error instanceof StepFailed) throw error;
    if (error instanceof CloudFrontServiceException && error.name === 'NoSuchDistribution') {
      throw new StepFailed(error.name, `CloudFront has no distribution ${id}.`, 'fix distributionId in the catalog (CloudFront console, ID column)');
    }
    throw fromAwsError(error, `GetDistributionConfig ${id}`, IAM_HINT);
  }
}

/** The drift sentence, also the refusal of an update whose ETag moved. Who changed it is not in the API; CloudTrail has it. */
export function changedSincePlanning(id: string, planned: string, now: string): string {
  return `CloudFront distribution ${id} changed since planning: its config ETag went ${planned} → ${now} (CloudTrail's UpdateDistribution events say who changed it)`;
}
