import { z } from 'zod';

/** What a frontend plan records for its steps and drift check (Plan.data). */
export const frontendPlanData = z.object({
  versionsBucket: z.string().min(1),
  versionsPrefix: z.string(),
  liveBucket: z.string().min(1),
  livePrefix: z.string(),
  region: z.string().optional(),
  distributionId: z.string().min(1),
  paths: z.array(z.string()).min(1),
  /** The version the live bucket held at plan time; null when it matched none. */
  liveVersion: z.string().nullable(),
  /** Digest of the live objects at plan time (keys, ETags, sizes): drift compares it. */
  liveFingerprint: z.string().min(1),
  /** Where the sync records the new live version (the target's state bucket); absent: nowhere. */
  record: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).optional(),
  targetVersion: z.string().min(1),
  catalogService: z.string(),
  environment: z.string(),
});
export type FrontendPlanData = z.infer<typeof frontendPlanData>;

export function replanCommand(data: Pick<FrontendPlanData, 'catalogService' | 'environment'>): string {
  return `/rollback ${data.catalogService} ${data.environment}`;
}

/** `s3://bucket/prefix` as the runbook writes it. */
export function s3Url(bucket: string, prefix = ''): string {
  return `s3://${bucket}/${prefix}`;
}

/** Where a version's files live in the versions bucket. */
export function versionPrefix(data: Pick<FrontendPlanData, 'versionsPrefix'>, version: string): string {
  return `${data.versionsPrefix}${version}/`;
}
