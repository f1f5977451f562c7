import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/rollback.js';
import { bindDriver } from '../../src/drivers/define.js';
import { createEcsDriver } from '../../src/drivers/ecs/driver.js';
import { ecsDriver } from '../../src/drivers/ecs/index.js';
import { createFlagDriver } from '../../src/drivers/flag/driver.js';
import { flagDriver } from '../../src/drivers/flag/index.js';

const plan = (data: Record<string, unknown>): Plan => ({ driver: 'x', current: 'a', target: 'b', changes: [], steps: [], fingerprint: 'f', data });
const noClient = () => {
  throw new Error('no client in this test');
};
const ecs = bindDriver(ecsDriver.kind, ecsDriver.planData, createEcsDriver({ ecs: noClient }));
const flag = bindDriver(flagDriver.kind, flagDriver.planData, createFlagDriver({ ssm: noClient, appconfig: noClient, env: {} }));
const ecsTarget = { driver: 'ecs' };

const ecsData = {
  cluster: 'distrocv-prod',
  service: 'distrocv-api',
  currentTaskDefinition: 'distrocv-api:42',
  targetTaskDefinition: 'distrocv-api:41',
  catalogService: 'api',
  environment: 'production',
  plannedAt: '2026-01-22T10:00:00.000Z',
};

describe('stored plan data, read once through the driver module', () => {
  it('binds the data a driver schema accepts to its steps, found by id', () => {
    const prepared = ecs.prepare(plan(ecsData), ecsTarget);
    expect('invalid' in prepared).toBe(false);
    if ('invalid' in prepared) return;
    expect(prepared.step('update-service')).toBeTypeOf('function');
    expect(prepared.step('wait-stable')).toBeTypeOf('function');
    expect(prepared.step('rollout-undo')).toBeUndefined();
    // Step ids come from stored plans: never answered by Object.prototype.
    expect(prepared.step('constructor')).toBeUndefined();
  });

  it('names the fields of an incomplete plan', () => {
    const { cluster: _cluster, ...missingCluster } = ecsData;
    expect(ecs.prepare(plan({ ...missingCluster, targetTaskDefinition: 7 }), ecsTarget)).toEqual({ invalid: ['cluster', 'targetTaskDefinition'] });
  });

  it('reads a union of stores by its discriminator', () => {
    const prepared = flag.prepare(plan({ store: 'ssm' }), { driver: 'flag' });
    expect('invalid' in prepared && prepared.invalid).toEqual(expect.arrayContaining(['flag', 'environment', 'action', 'parameter']));
  });

  it('refuses a target of another kind (a wiring bug, not bad input)', () => {
    expect(() => ecs.prepare(plan(ecsData), { driver: 'kubernetes' })).toThrow('the ecs driver was handed a kubernetes target');
  });
});
