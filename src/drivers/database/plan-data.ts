import type { Plan } from '../../domain/rollback.js';
import { StepFailed } from '../errors.js';

/** What the steps need, fixed at plan time (Plan.data); the catalog may change before they run. */
export interface DatabasePlanData {
  mode: 'pitr' | 'snapshot';
  /** The rollback that owns the restored instance (its tag). */
  rollbackId: string;
  region?: string;
  /** The live instance; kept, never modified. */
  source: string;
  /** DbiResourceId of the source at plan time (undefined when a snapshot outlived it). */
  sourceResourceId?: string;
  /** The new instance, named from the rollback id so a repeat finds it. */
  targetInstance: string;
  restoreTime?: string;
  snapshotId?: string;
  instanceClass?: string;
  multiAz?: boolean;
  subnetGroup?: string;
  securityGroups?: string[];
  parameterGroup?: string;
  secretId: string;
  hostField: string;
  dependents: { cluster: string; service: string }[];
}

export const RESTORE_STEP = 'restore';
export const WAIT_STEP = 'wait-available';
export const SECRET_STEP = 'update-secret';
export const REDEPLOY_STEP = 'redeploy';

/** Tag on every restored instance; a repeat adopts only an instance carrying its own rollback id. */
export const ROLLBACK_TAG = 'rewind:rollback';

export function readPlanData(plan: Plan): DatabasePlanData {
  const data = plan.data as Partial<DatabasePlanData>;
  if (!data.targetInstance || !data.source || !data.secretId) {
    throw new StepFailed('PlanDataMissing', 'This plan has no database restore data.', 'ask for a new plan; this one was made by another Rewind version');
  }
  return data as DatabasePlanData;
}

/** `2026-01-22 10:00:00 UTC`: unambiguous for whoever reads the card at 3 am. */
export function utc(at: Date | string): string {
  return new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function regionFlag(data: { region?: string }): string {
  return data.region ? ` --region ${data.region}` : '';
}
