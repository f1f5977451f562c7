import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DriverContext } from '../driver.js';
import type { SecretPlanData } from './plan-data.js';
import { describeSecret } from './secrets.js';

/**
 * What moved since planning that makes the approved rotation a different one. This rollback's own
 * version already current is not drift: that is its own work seen again.
 */
export async function driftSecret(sm: SecretsManagerClient, data: SecretPlanData, ctx: DriverContext): Promise<string | undefined> {
  const info = await describeSecret(sm, data.arn, ctx.signal);
  if (!info) return `Secret ${data.name} no longer exists.`;
  if (info.deletedAt) return `Secret ${data.name} was scheduled for deletion since planning.`;
  if (info.current !== data.currentVersionId && info.current !== data.newVersionId) {
    return `Secret ${data.name}'s AWSCURRENT version changed since planning (${data.currentVersionId} → ${info.current ?? 'none'}): someone rotated or changed it, so the approved rotation would start from another value.`;
  }
  if (data.rotation.kind === 'lambda' && !info.rotationEnabled) return `Rotation was turned off for secret ${data.name} since planning.`;
  return undefined;
}
