import type { Service } from '@aws-sdk/client-ecs';

/** Where a rollout to one task definition stands, read from one DescribeServices answer. Pure. */
export type Rollout =
  | { state: 'stable'; running: number; desired: number }
  | { state: 'progress'; running: number; desired: number; failed: number }
  /** The PRIMARY deployment of the target failed and nothing rolled it back. */
  | { state: 'failed'; reason: string; running: number; desired: number }
  /** The circuit breaker gave up on the target and deployed `now` again. */
  | { state: 'rolledBack'; now: string; reason: string }
  /** The service runs something else now and nothing says why (another deploy, or a finished circuit-breaker rollback). */
  | { state: 'replaced'; now: string };

const CIRCUIT_BREAKER = /circuit breaker/i;

export function assessRollout(service: Service, target: string): Rollout {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const desired = service.desiredCount ?? 0;
  if (!primary) return { state: 'progress', running: 0, desired, failed: 0 };
  const running = primary.runningCount ?? 0;

  if (primary.taskDefinition !== target) {
    const ours = deployments.find((d) => d.taskDefinition === target && d.rolloutState === 'FAILED');
    const now = primary.taskDefinition ?? 'an unknown task definition';
    if (ours || CIRCUIT_BREAKER.test(primary.rolloutStateReason ?? '')) {
      return { state: 'rolledBack', now, reason: ours?.rolloutStateReason ?? primary.rolloutStateReason ?? 'no reason given' };
    }
    return { state: 'replaced', now };
  }
  if (primary.rolloutState === 'FAILED') {
    return { state: 'failed', reason: primary.rolloutStateReason ?? 'no reason given', running, desired };
  }
  const stable =
    deployments.length === 1 &&
    running === (primary.desiredCount ?? 0) &&
    (primary.desiredCount ?? 0) === desired &&
    (service.runningCount ?? 0) === desired &&
    (primary.rolloutState === undefined || primary.rolloutState === 'COMPLETED');
  if (stable) return { state: 'stable', running, desired };
  return { state: 'progress', running, desired, failed: primary.failedTasks ?? 0 };
}

/** `2/3 tasks running distrocv-api:41` (plus failed starts): the thread's progress line. */
export function progressLine(rollout: Rollout, label: string): string | undefined {
  if (rollout.state !== 'progress' && rollout.state !== 'stable') return undefined;
  const failed = rollout.state === 'progress' && rollout.failed > 0 ? `, ${rollout.failed} failed to start` : '';
  return `${rollout.running}/${rollout.desired} tasks running ${label}${failed}`;
}
