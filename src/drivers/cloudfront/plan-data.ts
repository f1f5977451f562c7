import { z } from 'zod';

/** Where the config to apply comes from: one version of the backup object, or the live config with Enabled=false. */
const source = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('backup'), bucket: z.string().min(1), key: z.string().min(1), region: z.string().optional(), versionId: z.string().min(1) }),
  z.object({ kind: z.literal('disabled') }),
]);

/**
 * What a CloudFront plan records (Plan.data). The config itself stays out (it can run to tens of
 * kilobytes): the update step reads it again from its source and checks `digest`.
 */
export const cloudfrontPlanData = z.object({
  distributionId: z.string().min(1),
  /** The config's ETag at plan time: UpdateDistribution's If-Match, and what drift compares. */
  etag: z.string().min(1),
  source,
  /** SHA-256 of the approved config (src/drivers/cloudfront/config.ts, canonical form). */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** `backup <version> (<date>)` or `disabled`, as the card shows it. */
  targetLabel: z.string(),
  /** The request, so a failed step can spell the `/rollback` that asks again. */
  service: z.string(),
  environment: z.string(),
  requestedVersion: z.string().optional(),
});
export type CloudFrontPlanData = z.infer<typeof cloudfrontPlanData>;
export type ConfigSource = CloudFrontPlanData['source'];
