import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { assessRollout, progressLine } from '../../src/drivers/ecs/rollout-state.js';

const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/distrocv-api';
const TARGET = `${TD}:41`;

function service(deployments: Deployment[], desired = 3): Service {
  return { desiredCount: desired, runningCount: deployments.reduce((n, d) => n + (d.runningCount ?? 0), 0), deployments };
}

const primary = (d: Partial<Deployment>): Deployment => ({ status: 'PRIMARY', taskDefinition: TARGET, desiredCount: 3, runningCount: 0, ...d });

describe('assessRollout', () => {
  it('is stable only with one PRIMARY deployment of the target, all tasks running and the rollout COMPLETED', () => {
    expect(assessRollout(service([primary({ runningCount: 3, rolloutState: 'COMPLETED' })]), TARGET)).toEqual({ state: 'stable', running: 3, desired: 3 });
    // Services without rollout state (older or external deployment controllers) settle on counts alone.
    expect(assessRollout(service([primary({ runningCount: 3 })]), TARGET).state).toBe('stable');
    expect(assessRollout(service([primary({ runningCount: 3, rolloutState: 'IN_PROGRESS' })]), TARGET).state).toBe('progress');
    const draining = service([primary({ runningCount: 3, rolloutState: 'IN_PROGRESS' }), { status: 'ACTIVE', taskDefinition: `${TD}:42`, runningCount: 1 }]);
    expect(assessRollout(draining, TARGET)).toEqual({ state: 'progress', running: 3, desired: 3, failed: 0 });
  });

  it('calls a FAILED PRIMARY rollout of the target a failure', () => {
    const failed = service([
      primary({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: 3 }),
      { status: 'ACTIVE', taskDefinition: `${TD}:42`, runningCount: 3 },
    ]);
    expect(assessRollout(failed, TARGET)).toEqual({
      state: 'failed',
      reason: 'ECS deployment circuit breaker: tasks failed to start.',
      running: 0,
      desired: 3,
    });
  });

  it('tells a circuit-breaker rollback from someone else deploying', () => {
    const rolledBack = service([
      {
        status: 'PRIMARY',
        taskDefinition: `${TD}:42`,
        runningCount: 3,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
      },
      { status: 'ACTIVE', taskDefinition: TARGET, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' },
    ]);
    expect(assessRollout(rolledBack, TARGET)).toEqual({
      state: 'rolledBack',
      now: `${TD}:42`,
      reason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
    const replaced = service([{ status: 'PRIMARY', taskDefinition: `${TD}:43`, runningCount: 1, rolloutState: 'IN_PROGRESS' }]);
    expect(assessRollout(replaced, TARGET)).toEqual({ state: 'replaced', now: `${TD}:43` });
  });

  it('writes progress lines for the thread', () => {
    expect(progressLine({ state: 'progress', running: 2, desired: 3, failed: 0 }, 'distrocv-api:41')).toBe('2/3 tasks running distrocv-api:41');
    expect(progressLine({ state: 'progress', running: 0, desired: 3, failed: 2 }, 'distrocv-api:41')).toBe(
      '0/3 tasks running distrocv-api:41, 2 failed to start',
    );
    expect(progressLine({ state: 'replaced', now: TARGET }, 'distrocv-api:41')).toBeUndefined();
  });
});
