import { z } from 'zod';
import { restartTarget } from '../shared/restart/dependents.js';

/** Plans stored before Kubernetes dependents existed hold `{ cluster, service }`: an ECS service. */
const plannedDependent = z.preprocess((d) => (d && typeof d === 'object' && !('kind' in d) ? { kind: 'ecs', ...d } : d), restartTarget);

/** What the steps need, fixed at plan time (Plan.data); the catalog may change before they run. */
export const databasePlanData = z
  .object({
    mode: z.enum(['pitr', 'snapshot']),
    /** The rollback that owns the restored instance (its tag). */
    rollbackId: z.string().min(1),
    region: z.string().optional(),
    /** The live instance; kept, never modified. */
    source: z.string().min(1),
    /** DbiResourceId of the source at plan time (undefined when a snapshot outlived it). */
    sourceResourceId: z.string().optional(),
    /** The new instance, named from the rollback id so a repeat finds it. */
    targetInstance: z.string().min(1),
    restoreTime: z.string().optional(),
    snapshotId: z.string().optional(),
    instanceClass: z.string().optional(),
    multiAz: z.boolean().optional(),
    subnetGroup: z.string().optional(),
    securityGroups: z.array(z.string()).optional(),
    parameterGroup: z.string().optional(),
    secretId: z.string().min(1),
    hostField: z.string().min(1),
    dependents: z.array(plannedDependent),
  })
  .refine((d) => (d.mode === 'pitr' ? d.restoreTime !== undefined : d.snapshotId !== undefined), {
    path: ['restoreTime'],
    error: 'a point-in-time plan needs restoreTime, a snapshot plan snapshotId',
  });
export type DatabasePlanData = z.infer<typeof databasePlanData>;

export const RESTORE_STEP = 'restore';
export const WAIT_STEP = 'wait-available';
export const SECRET_STEP = 'update-secret';
export const REDEPLOY_STEP = 'redeploy';

/** Tag on every restored instance; a repeat adopts only an instance carrying its own rollback id. */
export const ROLLBACK_TAG = 'rewind:rollback';

/** `2026-01-22 10:00:00 UTC`: unambiguous for whoever reads the card at 3 am. */
export function utc(at: Date | string): string {
  return new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

export function regionFlag(data: { region?: string }): string {
  return data.region ? ` --region ${data.region}` : '';
}
