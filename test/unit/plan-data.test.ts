import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/rollback.js';
import { readPlanData as readEcsPlanData } from '../../src/drivers/ecs/plan-data.js';
import { readPlanData as readFlagPlanData } from '../../src/drivers/flag/plan-data.js';
import { stepFailure } from '../support/rejections.js';

const plan = (data: Record<string, unknown>): Plan => ({ driver: 'x', current: 'a', target: 'b', changes: [], steps: [], fingerprint: 'f', data });

const ecsData = {
  cluster: 'distrocv-prod',
  service: 'distrocv-api',
  currentTaskDefinition: 'distrocv-api:42',
  targetTaskDefinition: 'distrocv-api:41',
  catalogService: 'api',
  environment: 'production',
  plannedAt: '2026-01-22T10:00:00.000Z',
};

describe('reading stored plan data', () => {
  it('returns the data a driver schema accepts', () => {
    expect(readEcsPlanData(plan(ecsData))).toEqual(ecsData);
  });

  it('refuses an incomplete plan, naming the wrong fields and how to get a new plan', async () => {
    const { cluster: _cluster, ...missingCluster } = ecsData;
    const error = await stepFailure(Promise.resolve().then(() => readEcsPlanData(plan({ ...missingCluster, targetTaskDefinition: 7 }))));
    expect(error.code).toBe('PlanDataInvalid');
    expect(error.permanent).toBe(true);
    expect(error.message).toBe('The stored ECS plan is incomplete (cluster, targetTaskDefinition), so Rewind will not act on it');
    expect(error.hint).toBe('ask for a new plan with /rollback <service> <environment>');
  });

  it('keeps a driver’s own re-plan hint', async () => {
    const error = await stepFailure(Promise.resolve().then(() => readFlagPlanData(plan({ store: 'ssm' }))));
    expect(error.message).toMatch(/^The stored flag plan is incomplete \(flag, environment, action, .*\), so Rewind will not act on it$/);
    expect(error.hint).toBe('ask for a new plan with /rollback flag <Flag> on|off|revert <environment>');
  });
});
