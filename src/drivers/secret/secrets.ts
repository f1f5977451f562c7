import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { fromAwsError, StepFailed } from '../errors.js';
import { secretFields } from '../shared/secrets/fields.js';

/**
 * The Secrets Manager calls of the secret driver. Values pass through here in memory only: nothing
 * returned for display, logged or thrown ever contains one.
 */

const HINT =
  "check that Rewind's AWS role may call secretsmanager:DescribeSecret, GetSecretValue, PutSecretValue, RotateSecret and GetRandomPassword on this secret (and kms:Decrypt / kms:GenerateDataKey on its KMS key), in the catalog's region (docs/drivers/secret.md, IAM)";

export interface SecretInfo {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  lambdaArn?: string;
  deletedAt?: Date;
  /** Version id → staging labels. */
  stages: Record<string, string[]>;
  current?: string;
  /** A version left AWSPENDING by a rotation that did not finish. */
  pending?: string;
}

const named = (error: unknown, name: string) => error instanceof Error && error.name === name;

function withStage(stages: Record<string, string[]>, stage: string): string | undefined {
  return Object.entries(stages).find(([, labels]) => labels.includes(stage))?.[0];
}

/** DescribeSecret; a missing secret is an answer (undefined), not an error. */
export async function describeSecret(sm: SecretsManagerClient, id: string, signal: AbortSignal): Promise<SecretInfo | undefined> {
  try {
    const out = await sm.send(new DescribeSecretCommand({ SecretId: id }), { abortSignal: signal });
    const stages = out.VersionIdsToStages ?? {};
    const pending = withStage(stages, 'AWSPENDING');
    return {
      arn: out.ARN ?? id,
      name: out.Name ?? id,
      rotationEnabled: out.RotationEnabled === true,
      ...(out.RotationLambdaARN ? { lambdaArn: out.RotationLambdaARN } : {}),
      ...(out.DeletedDate ? { deletedAt: out.DeletedDate } : {}),
      stages,
      current: withStage(stages, 'AWSCURRENT'),
      ...(pending && !stages[pending]?.includes('AWSCURRENT') ? { pending } : {}),
    };
  } catch (error) {
    if (signal.aborted) throw error;
    if (named(error, 'ResourceNotFoundException')) return undefined;
    throw fromAwsError(error, `DescribeSecret on ${id}`, HINT);
  }
}

/** The AWSCURRENT value as a JSON object (undefined when it is not one) and its version id. */
export async function currentFields(
  sm: SecretsManagerClient,
  arn: string,
  signal: AbortSignal,
): Promise<{ fields?: Record<string, unknown>; versionId?: string }> {
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: arn }), { abortSignal: signal });
    return { fields: secretFields(out.SecretString), versionId: out.VersionId };
  } catch (error) {
    if (signal.aborted) throw error;
    throw fromAwsError(error, `GetSecretValue on ${arn}`, HINT);
  }
}

/** One new value from Secrets Manager's own generator, as the runbooks' rotation functions make them. */
export async function randomValue(sm: SecretsManagerClient, length: number, excludePunctuation: boolean, signal: AbortSignal): Promise<string> {
  let value: string | undefined;
  try {
    value = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: length, ExcludePunctuation: excludePunctuation }), { abortSignal: signal }))
      .RandomPassword;
  } catch (error) {
    if (signal.aborted) throw error;
    throw fromAwsError(error, 'GetRandomPassword', HINT);
  }
  if (!value)
    throw new StepFailed(
      'EmptyRandomPassword',
      'Secrets Manager answered GetRandomPassword without a password; the secret was not changed.',
      'retry the rollback',
      false,
    );
  return value;
}

/** PutSecretValue as version `token`; that version existing already means an earlier attempt wrote it. */
export async function putValue(sm: SecretsManagerClient, arn: string, value: string, token: string, signal: AbortSignal): Promise<void> {
  try {
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value, ClientRequestToken: token }), { abortSignal: signal });
  } catch (error) {
    if (signal.aborted) throw error;
    if (!named(error, 'ResourceExistsException')) throw fromAwsError(error, `PutSecretValue on ${arn}`, HINT);
  }
}

/** RotateSecret now, as version `token` (the same token on a repeat creates nothing new). */
export async function startRotation(sm: SecretsManagerClient, arn: string, token: string, signal: AbortSignal, hint: string): Promise<void> {
  try {
    await sm.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token, RotateImmediately: true }), { abortSignal: signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw fromAwsError(error, `RotateSecret on ${arn}`, hint);
  }
}
