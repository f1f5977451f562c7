import { createHash } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { StepContext } from '../driver.js';
import { fromAwsError, StepFailed } from '../errors.js';
import { secretFields } from '../shared/secrets/fields.js';
import { regionFlag, type DatabasePlanData } from './plan-data.js';
import { findInstance } from './rds.js';
import type { DatabaseTarget } from './target.js';

/**
 * Points the app's secret at the restored instance: only the host field changes, every other field
 * (user, password, port, dbname...) is kept. Secret values never reach logs, progress, outputs or
 * error messages; only the secret id, the field name, the new endpoint and version ids do.
 */

const SECRET_HINT =
  "check that Rewind's AWS role may call secretsmanager:GetSecretValue and secretsmanager:PutSecretValue on this secret (and kms:Decrypt / kms:GenerateDataKey on its KMS key) (docs/drivers/database.md, IAM)";

/** A field holding a connection URL (`postgresql://user:pw@host:5432/db`) gets only its host replaced. */
function withHost(value: string, host: string): string | undefined {
  if (!value.includes('://')) return host;
  try {
    const url = new URL(value);
    if (!url.hostname) return undefined;
    url.hostname = host;
    return url.toString();
  } catch {
    return undefined;
  }
}

/** Same rollback, secret and endpoint → same token, so a repeated PutSecretValue creates no second version. */
function requestToken(rollbackId: string, secretId: string, host: string): string {
  return `rewind-${createHash('sha256').update(`${rollbackId}\n${secretId}\n${host}`).digest('hex').slice(0, 40)}`;
}

export async function pointSecret(
  rds: RDSClient,
  secrets: SecretsManagerClient,
  data: DatabasePlanData,
  ctx: StepContext<DatabaseTarget>,
): Promise<Record<string, unknown>> {
  const instance = await findInstance(rds, data.targetInstance, ctx.signal);
  const host = instance?.DBInstanceStatus === 'available' ? instance.Endpoint?.Address : undefined;
  if (!host) {
    throw new StepFailed(
      'RestoredInstanceNotReady',
      `${data.targetInstance} is ${instance?.DBInstanceStatus ?? 'missing'}, so secret ${data.secretId} was not changed.`,
      `check it with aws rds describe-db-instances --db-instance-identifier ${data.targetInstance}${regionFlag(data)}, then retry`,
      false,
    );
  }

  let secretString: string | undefined;
  let versionId: string | undefined;
  try {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: data.secretId }), { abortSignal: ctx.signal });
    secretString = out.SecretString;
    versionId = out.VersionId;
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw fromAwsError(error, `GetSecretValue on ${data.secretId}`, SECRET_HINT);
  }

  const fields = secretFields(secretString);
  if (!fields) {
    throw new StepFailed(
      'SecretNotJson',
      `Secret ${data.secretId} is not a JSON object, so Rewind cannot change only its "${data.hostField}" field.`,
      `update the secret by hand to point at ${host}, or store it as JSON key/value pairs; then retry`,
    );
  }
  const current = fields[data.hostField];
  if (typeof current !== 'string') {
    throw new StepFailed(
      'SecretFieldMissing',
      `Secret ${data.secretId} has no text field "${data.hostField}" (its fields: ${Object.keys(fields).join(', ') || 'none'}).`,
      `set secret.hostField in the catalog to the field that holds the database host, then ask for a new plan`,
    );
  }
  const next = withHost(current, host);
  if (next === undefined) {
    throw new StepFailed(
      'SecretFieldUnreadable',
      `Field "${data.hostField}" of secret ${data.secretId} looks like a URL but has no host Rewind can replace.`,
      `update the secret by hand to point at ${host}, or set secret.hostField to a plain host field`,
    );
  }
  if (next === current) {
    ctx.progress(`secret ${data.secretId} already points at ${host}`);
    return { secretId: data.secretId, field: data.hostField, host, versionId, changed: false };
  }

  fields[data.hostField] = next;
  try {
    const out = await secrets.send(
      new PutSecretValueCommand({
        SecretId: data.secretId,
        SecretString: JSON.stringify(fields),
        ClientRequestToken: requestToken(ctx.rollbackId, data.secretId, host),
      }),
      { abortSignal: ctx.signal },
    );
    ctx.log.info({ secretId: data.secretId, field: data.hostField, host, previousVersionId: versionId, versionId: out.VersionId }, 'secret host updated');
    ctx.progress(`secret ${data.secretId}: "${data.hostField}" now points at ${host} (previous version ${versionId ?? 'unknown'} kept as AWSPREVIOUS)`);
    return { secretId: data.secretId, field: data.hostField, host, previousVersionId: versionId, versionId: out.VersionId, changed: true };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw fromAwsError(error, `PutSecretValue on ${data.secretId}`, SECRET_HINT);
  }
}
