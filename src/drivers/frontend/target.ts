import { z } from 'zod';
import { duration, targetBase, text } from '../../config/fields.js';

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
  error: 'is not an S3 bucket name: write the bare name such as distrocv-frontend-prod (no s3://, no slashes)',
});

/** A key prefix ending in `/`, or empty for the bucket root. */
const keyPrefix = z
  .string()
  .regex(/^([^/].*\/)?$/, { error: 'must be empty (the bucket root) or a key prefix ending in / such as releases/, without a leading /' })
  .default('');

const invalidationPath = z.string().regex(/^\/\S*$/, { error: 'must be a path starting with /, e.g. /* or /index.html' });

/**
 * `driver: frontend`: a static site served by CloudFront from an S3 bucket, with every
 * build kept under its own prefix in a versions bucket (the DistroCV "Frontend Rollback" runbook).
 */
export const frontendTarget = z
  .strictObject({
    driver: z.literal('frontend'),
    /** Where builds live: `s3://<bucket>/<prefix><version>/…`. */
    versions: z.strictObject({ bucket: bucketName, prefix: keyPrefix }),
    /** The bucket (and prefix) CloudFront serves. Rewind writes nothing there but the version's files. */
    live: z.strictObject({ bucket: bucketName, prefix: keyPrefix }),
    /** Where Rewind records the version it made live (`<prefix><live bucket>/<live prefix>live.json`): a bucket CloudFront does not serve. */
    state: z.strictObject({ bucket: bucketName, prefix: keyPrefix }).optional(),
    distributionId: z.string().regex(/^E[A-Z0-9]{5,}$/, {
      error: 'is not a CloudFront distribution id: copy the ID column of the CloudFront console, e.g. E1234567890',
    }),
    invalidationPaths: z.array(invalidationPath).min(1, { error: 'must list at least one path, e.g. ["/*"]' }).default(['/*']),
    /** Parallel S3 copies and version listings. */
    concurrency: z.number().int().min(1).max(64).default(16),
    region: text('the AWS region of the buckets, e.g. us-east-1').optional(),
    invalidationTimeout: duration('how long to wait for the CloudFront invalidation').default(15 * 60_000),
    pollInterval: duration('how often to read the invalidation while waiting').default(2000),
    ...targetBase,
  })
  .refine((t) => t.state?.bucket !== t.live.bucket, {
    path: ['state', 'bucket'],
    error: 'is the live bucket, which CloudFront serves to everyone: name a bucket it does not serve, e.g. distrocv-rewind-state',
  });
export type FrontendTarget = z.infer<typeof frontendTarget>;
