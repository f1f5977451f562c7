import { createHash } from 'node:crypto';
import { z } from 'zod';
import { restartTarget } from '../shared/restart/dependents.js';

const generatedRotation = z.object({
  kind: z.literal('generate'),
  keys: z.array(z.string().min(1)).min(1),
  length: z.number().int(),
  excludePunctuation: z.boolean(),
});
export type GeneratedRotation = z.infer<typeof generatedRotation>;

/** What the steps need, fixed at plan time (Plan.data). Names, keys and version ids only: never a value. */
export const secretPlanData = z.object({
  rollbackId: z.string().min(1),
  region: z.string().optional(),
  /** The catalog's secretId; `arn` is what the steps call with, so a renamed catalog entry changes nothing. */
  secretId: z.string().min(1),
  arn: z.string().min(1),
  name: z.string().min(1),
  rotation: z.discriminatedUnion('kind', [z.object({ kind: z.literal('lambda'), lambdaArn: z.string().optional() }), generatedRotation]),
  /** AWSCURRENT at plan time: it becomes AWSPREVIOUS. */
  currentVersionId: z.string().min(1),
  /** The version this rollback creates (its ClientRequestToken), the same on every attempt. */
  newVersionId: z.string().min(32).max(64),
  dependents: z.array(restartTarget),
});
export type SecretPlanData = z.infer<typeof secretPlanData>;

export const ROTATE_STEP = 'rotate';
/** One per dependent: `restart-1`, `restart-2`, ... */
export const RESTART_STEP = 'restart';

/** Same rollback and secret → same token, so a repeated PutSecretValue or RotateSecret creates no second version. */
export function versionToken(rollbackId: string, arn: string): string {
  return `rewind-${createHash('sha256').update(`${rollbackId}\n${arn}\nrotate`).digest('hex').slice(0, 40)}`;
}

export function regionFlag(data: { region?: string }): string {
  return data.region ? ` --region ${data.region}` : '';
}

/** `distrocv-rotate` from `arn:aws:lambda:us-east-1:123456789012:function:distrocv-rotate`. */
export function functionName(lambdaArn: string | undefined): string | undefined {
  return lambdaArn?.split(':function:')[1]?.split(':')[0];
}
