import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createWaiter, WaiterState } from '@smithy/core/client';
import { formatDuration } from '../../domain/duration.js';
import type { StepContext } from '../driver.js';
import { StepFailed } from '../errors.js';
import { functionName, regionFlag, type GeneratedRotation, type SecretPlanData } from './plan-data.js';
import { currentFields, describeSecret, putValue, randomValue, startRotation, type SecretInfo } from './secrets.js';
import type { SecretTarget } from './target.js';

type Ctx = StepContext<SecretTarget, SecretPlanData>;

/** What the rotation checkpoint keeps: version ids, never a value. */
type Rotated = { versionId: string; previousVersionId: string };

function logsCommand(data: SecretPlanData): string {
  const name = functionName(data.rotation.kind === 'lambda' ? data.rotation.lambdaArn : undefined);
  return name
    ? `aws logs tail /aws/lambda/${name} --since 30m${regionFlag(data)}`
    : `the rotation's events in CloudTrail (RotationFailed, RotationAbandoned) for ${data.name}`;
}

async function describeOrFail(sm: SecretsManagerClient, data: SecretPlanData, signal: AbortSignal): Promise<SecretInfo> {
  const info = await describeSecret(sm, data.arn, signal);
  if (!info)
    throw new StepFailed(
      'SecretGone',
      `Secret ${data.name} no longer exists, so it was not rotated.`,
      'find out who deleted it (CloudTrail: DeleteSecret), then restore it or ask for a new plan',
    );
  return info;
}

/** New random values for the planned keys of the AWSCURRENT JSON value, written as this rollback's version. */
async function writeGenerated(sm: SecretsManagerClient, data: SecretPlanData, rotation: GeneratedRotation, ctx: Ctx): Promise<string> {
  const { fields, versionId } = await currentFields(sm, data.arn, ctx.signal);
  const missing = rotation.keys.filter((k) => !fields || !Object.hasOwn(fields, k));
  if (!fields || missing.length) {
    throw new StepFailed(
      'SecretChanged',
      fields
        ? `Secret ${data.name} no longer has key ${missing.join(', ')} (its keys: ${Object.keys(fields).join(', ') || 'none'}), so it was not rotated.`
        : `Secret ${data.name} is no longer a JSON object, so it was not rotated.`,
      `someone changed the secret since the plan; look at its versions (aws secretsmanager list-secret-version-ids --secret-id ${data.name}${regionFlag(data)}), then ask for a new plan`,
    );
  }
  for (const key of rotation.keys) fields[key] = await randomValue(sm, rotation.length, rotation.excludePunctuation, ctx.signal);
  await putValue(sm, data.arn, JSON.stringify(fields), data.newVersionId, ctx.signal);
  return versionId ?? data.currentVersionId;
}

/**
 * Starts the rotation once: an earlier attempt's version (same ClientRequestToken) is adopted, so a
 * crash anywhere, even between the write and the checkpoint, never rotates twice.
 */
async function rotateOnce(sm: SecretsManagerClient, data: SecretPlanData, ctx: Ctx): Promise<Rotated> {
  const info = await describeOrFail(sm, data, ctx.signal);
  const ours = info.stages[data.newVersionId];
  if (ours) {
    const previous = ours.includes('AWSCURRENT') ? Object.keys(info.stages).find((id) => info.stages[id]?.includes('AWSPREVIOUS')) : undefined;
    ctx.log.info({ secretId: data.name, versionId: data.newVersionId, stages: ours }, 'rotation from an earlier attempt adopted');
    return { versionId: data.newVersionId, previousVersionId: previous ?? data.currentVersionId };
  }
  if (data.rotation.kind === 'generate') {
    const previousVersionId = await writeGenerated(sm, data, data.rotation, ctx);
    return { versionId: data.newVersionId, previousVersionId };
  }
  await startRotation(
    sm,
    data.arn,
    data.newVersionId,
    ctx.signal,
    `a rotation already running, or a rotation function that cannot be invoked, stops RotateSecret: read ${logsCommand(data)}; then retry`,
  );
  ctx.progress(`secret ${data.name}: rotation started (version ${data.newVersionId})`);
  return { versionId: data.newVersionId, previousVersionId: info.current ?? data.currentVersionId };
}

/** Waits until the rotation function has made this rollback's version AWSCURRENT (or something newer replaced it). */
async function waitRotated(sm: SecretsManagerClient, data: SecretPlanData, ctx: Ctx, minPollSec: number): Promise<void> {
  const delay = Math.max(ctx.target.pollInterval / 1000, minPollSec);
  const maxWaitTime = Math.max(ctx.target.rotationTimeout / 1000, 2 * delay);
  const check = async (): Promise<{ state: WaiterState }> => {
    let stages: string[] | undefined;
    try {
      stages = (await describeOrFail(sm, data, ctx.signal)).stages[data.newVersionId];
    } catch (error) {
      if (!(error instanceof StepFailed) || error.permanent) throw error;
      ctx.log.warn({ err: error }, 'DescribeSecret failed while waiting for the rotation; polling again');
      return { state: WaiterState.RETRY };
    }
    if (stages?.includes('AWSCURRENT') || stages?.includes('AWSPREVIOUS')) return { state: WaiterState.SUCCESS };
    return { state: stages?.includes('AWSPENDING') ? WaiterState.RETRY : WaiterState.FAILURE };
  };
  const result = await createWaiter({ client: sm, abortSignal: ctx.signal, minDelay: delay, maxDelay: delay, maxWaitTime }, undefined, check);
  if (result.state === WaiterState.SUCCESS) return;
  if (result.state === WaiterState.ABORTED) ctx.signal.throwIfAborted();
  if (result.state === WaiterState.FAILURE) {
    throw new StepFailed(
      'RotationCancelled',
      `The rotation of secret ${data.name} was cancelled or undone (version ${data.newVersionId} has no staging label), so nothing was restarted.`,
      `find out who cancelled it (CloudTrail: CancelRotateSecret, UpdateSecretVersionStage), then ask for a new plan`,
    );
  }
  throw new StepFailed(
    'RotationTimeout',
    `The rotation of secret ${data.name} did not finish within ${formatDuration(ctx.target.rotationTimeout)}: version ${data.newVersionId} is still AWSPENDING and AWSCURRENT has not moved, so nothing was restarted.`,
    `read ${logsCommand(data)} and fix the rotation function; if the version stays AWSPENDING, drop it (aws secretsmanager update-secret-version-stage --secret-id ${data.name} --version-stage AWSPENDING --remove-from-version-id ${data.newVersionId}${regionFlag(data)}) before asking again`,
  );
}

/** The `rotate` step: one new version, checkpointed; the old value stays AWSPREVIOUS. */
export async function rotate(sm: SecretsManagerClient, ctx: Ctx, minPollSec: number): Promise<Record<string, unknown>> {
  const { data } = ctx;
  const rotated = await ctx.checkpoint('rotation', () => rotateOnce(sm, data, ctx));
  if (data.rotation.kind === 'lambda') await waitRotated(sm, data, ctx, minPollSec);
  const keys = data.rotation.kind === 'generate' ? data.rotation.keys : undefined;
  ctx.log.info({ secretId: data.name, ...rotated, keys }, 'secret rotated');
  ctx.progress(
    `secret ${data.name}: version ${rotated.versionId} is AWSCURRENT${keys ? ` (new ${keys.join(', ')})` : ''}; ${rotated.previousVersionId} kept as AWSPREVIOUS`,
  );
  return { secret: data.name, ...rotated, ...(keys ? { keys } : {}) };
}
