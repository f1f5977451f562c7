import type { Rollback } from '../../domain/rollback.js';
import { regionFlag, secretPlanData } from './plan-data.js';

type Asked = Pick<Rollback, 'service' | 'environment' | 'plan'>;

/** `/rollback api-secrets production`: a rotation takes no version or options. */
export function replanSecret(rb: Asked): string {
  return `/rollback ${rb.service} ${rb.environment}`;
}

/**
 * The rotation ran but a check still fails: look at the dependents first; the old value is only
 * worth restoring if it was not the leaked one; a credential checked elsewhere must be revoked there.
 */
export function secretNextSteps(rb: Asked): string {
  const planned = secretPlanData.safeParse(rb.plan?.data);
  const undo = planned.success
    ? ` (aws secretsmanager update-secret-version-stage --secret-id ${planned.data.name} --version-stage AWSCURRENT --move-to-version-id ${planned.data.currentVersionId} --remove-from-version-id ${planned.data.newVersionId}${regionFlag(planned.data)}, then restart the dependents)`
    : '';
  return (
    'Then check the dependents: tasks or pods failing since the restart usually reject the new value (read their logs). ' +
    'If the rotation could not change the credential where it is checked (a database user, a third-party API key), revoke the leaked credential at its source now. ' +
    `The previous value is kept as AWSPREVIOUS; put it back only if it was not the leaked one${undo}.`
  );
}
