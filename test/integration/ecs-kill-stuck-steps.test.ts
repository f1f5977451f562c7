import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { createEcsDriver } from '../../src/drivers/ecs/driver.js';
import { ecsDriver } from '../../src/drivers/ecs/index.js';
import { ecsTarget, type EcsTarget } from '../../src/drivers/ecs/target.js';
import { startFakeEcs, type FakeEcs } from '../fakes/aws/ecs.js';
import { stepContext } from '../fakes/aws/steps.js';
import { asExecutor } from '../support/driver.js';
import { refusal } from '../support/rejections.js';

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const ctx = () => ({ signal: new AbortController().signal, log: pino({ level: 'silent' }) });

let fake: FakeEcs;
let client: ECSClient;

beforeEach(async () => {
  fake = await startFakeEcs({ tickMs: 20 });
  client = new ECSClient({ endpoint: fake.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  for (const tag of ['v2.0.0', 'v2.0.1']) fake.registerTaskDefinition('distrocv-api', [{ name: 'api', image: `${ECR}/distrocv-api:${tag}` }]);
  fake.createService('distrocv-prod', 'api', 'distrocv-api:2', 3);
  // The rollback to :1 is stuck: no room for a fourth task.
  fake.setCapacity('distrocv-prod', 'api', 3);
  await client.send(new UpdateServiceCommand({ cluster: 'distrocv-prod', service: 'api', taskDefinition: 'distrocv-api:1' }));
});

afterEach(async () => {
  client.destroy();
  await fake.close();
});

const driver = () => asExecutor(ecsDriver, createEcsDriver({ ecs: () => client, minPollSec: 0.01 }));
const target = (): EcsTarget => ecsTarget.parse({ driver: 'ecs', cluster: 'distrocv-prod', service: 'api', pollInterval: '20ms', stableTimeout: '10s' });
const request = (killStuck: string): PlanRequest<EcsTarget> => ({
  rollbackId: 'RB-2',
  service: 'api',
  environment: 'production',
  target: target(),
  options: { killStuck },
});

describe('ECS kill-stuck steps', () => {
  it('forces the deployment once when the step is repeated after a crash before its checkpoint', async () => {
    const plan = await driver().plan(request('RB-1'), ctx());
    expect(plan.steps.map((s) => s.id)).toEqual(['force-deployment', 'wait-restore']);
    const crashed = stepContext(plan, 'force-deployment', target(), {
      save: async () => {
        throw new Error('worker killed');
      },
    });
    await expect(driver().runStep(crashed.context)).rejects.toThrow('worker killed');
    const repeat = stepContext(plan, 'force-deployment', target());
    await driver().runStep(repeat.context);
    expect(fake.callsTo('UpdateService').filter((c) => c.input.forceNewDeployment)).toHaveLength(1);

    await driver().runStep(stepContext(plan, 'wait-restore', target()).context);
    expect(fake.service('distrocv-prod', 'api').deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 100, maximumPercent: 200 });
  });

  it('refuses a service already at minimumHealthyPercent 0, and an option that is not a rollback id', async () => {
    await client.send(
      new UpdateServiceCommand({ cluster: 'distrocv-prod', service: 'api', deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } }),
    );
    expect((await refusal(driver().plan(request('RB-1'), ctx()))).message).toMatch(
      /^api already runs with minimumHealthyPercent 0 \(minimumHealthyPercent=0,maximumPercent=100\)/,
    );
    expect((await refusal(driver().plan(request('rm -rf'), ctx()))).message).toBe(
      '"rm -rf" is not a rollback id: `/rollback kill-stuck RB-12` names the stuck rollback.',
    );
  });
});
