import type { Rollback } from './rollback.js';

/**
 * A plain ECS rollback that failed because its wait for steady state timed out: the deployment is
 * stuck, and the runbook's "Kill stuck deployment" (minimumHealthyPercent=0, force new deployment)
 * may unstick it. A stack's component is left to its own runbook step.
 */
export function isStuckEcsRollout(rb: Rollback): boolean {
  return rb.state === 'failed' && !rb.stack && rb.plan?.driver === 'ecs' && rb.error?.name === 'StabilityTimeout';
}
