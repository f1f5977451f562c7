import { z } from 'zod';
import { duration, targetBase, text } from '../../config/fields.js';

const bucketName = text("the backup bucket's name, e.g. skillancer-cloudfront-backups").regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
  error: 'is not an S3 bucket name: write the bare name such as skillancer-cloudfront-backups (no s3://, no slashes)',
});

const objectKey = text("the backup object's key, e.g. cloudfront/E1234567890.json").regex(/^[^/](.*[^/])?$/, {
  error: 'must be the key of one object such as cloudfront/E1234567890.json (no leading /, not a folder ending in /)',
});

/**
 * `driver: cloudfront`: a distribution's configuration restored from a backup (the Skillancer
 * "CDN/DNS Rollback" runbook's `aws cloudfront update-distribution --distribution-config
 * file://backup-config.json`), or the distribution disabled (`to disabled`).
 */
export const cloudfrontTarget = z.strictObject({
  driver: z.literal('cloudfront'),
  distributionId: z.string().regex(/^E[A-Z0-9]{5,}$/, {
    error: 'is not a CloudFront distribution id: copy the ID column of the CloudFront console, e.g. E1234567890',
  }),
  /** A versioned S3 object; each version is one `aws cloudfront get-distribution-config` output (or its DistributionConfig). */
  backup: z
    .strictObject({
      bucket: bucketName,
      key: objectKey,
      region: text('the AWS region of the bucket, e.g. us-east-1').optional(),
    })
    .optional(),
  deployTimeout: duration('how long to wait for CloudFront to deploy the change to its edge locations').default(25 * 60_000),
  pollInterval: duration('how often to read the distribution while waiting').default(10_000),
  ...targetBase,
});
export type CloudFrontTarget = z.infer<typeof cloudfrontTarget>;
