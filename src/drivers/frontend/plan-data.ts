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
  /** The version the live marker named at plan time; null when there was no marker. */
  liveVersion: z.string().nullable(),
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
