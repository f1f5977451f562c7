import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flagTargetSchema, type FlagTarget } from '../../src/drivers/flag/target.js';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { PlanRefused, StepFailed } from '../../src/drivers/errors.js';
import { createFlagDriver } from '../../src/drivers/flag/driver.js';
import { flagDriver } from '../../src/drivers/flag/index.js';
import { asExecutor } from '../support/driver.js';
import { AppConfigFake, sdkConfig } from '../fakes/aws/index.js';
import { driverContext, runAllSteps, stepContext } from '../fakes/aws/steps.js';

let fake: AppConfigFake;
let appconfig: AppConfigClient;

beforeEach(async () => {
  fake = await AppConfigFake.start({ deploymentDelayMs: 120 });
  fake.addApplication('distrocv', {
    environments: ['prod'],
    profiles: { 'feature-flags': { name: 'FeatureFlags', versions: ['1', '2', '3'] }, 'other-profile': { name: 'Other', versions: ['7'] } },
    strategies: ['instant'],
  });
  appconfig = new AppConfigClient(sdkConfig(fake.url));
});

afterEach(async () => {
  appconfig.destroy();
  await fake.close();
});

const driver = () =>
  asExecutor(
    flagDriver,
    createFlagDriver({ ssm: () => new SSMClient(sdkConfig('http://127.0.0.1:9')), appconfig: () => appconfig, env: {}, minPollSec: 0.01 }),
  );

const target = (): FlagTarget =>
  flagTargetSchema.parse({
    driver: 'flag',
    store: 'appconfig',
    application: 'distrocv',
    environment: 'prod',
    profile: 'feature-flags',
    strategy: 'instant',
    off: 2,
    pollInterval: '20ms',
    deployTimeout: '10s',
  });

function request(action: string, value?: string): PlanRequest<FlagTarget> {
  return { rollbackId: 'RB-7', service: 'FeatureFlags', environment: 'production', target: target(), options: { action, ...(value ? { value } : {}) } };
}

/** Version 2 then 3 of the profile were deployed; another profile deployed in between. */
function seedHistory() {
  fake.seedDeployment('distrocv', 'prod', 'feature-flags', '2', new Date('2024-01-10T10:00:00Z'));
  fake.seedDeployment('distrocv', 'prod', 'other-profile', '7', new Date('2024-01-12T10:00:00Z'));
  fake.seedDeployment('distrocv', 'prod', 'feature-flags', '3', new Date('2024-01-15T10:00:00Z'));
}

describe('flag driver: AppConfig', () => {
  it('reverts to the previously deployed version with the configured strategy and waits for COMPLETE', async () => {
    seedHistory();
    const plan = await driver().plan(request('revert'), driverContext());
    expect(plan.current).toBe('version 3 (deployment #3, 2024-01-15 10:00 UTC)');
    expect(plan.target).toBe('version 2');
    expect(plan.steps[0]!.title).toBe('Deploy feature-flags version 2 to distrocv/prod with strategy instant, wait until COMPLETE');

    const { outputs, progress } = await runAllSteps(driver(), plan, target());
    expect(outputs.deploy).toEqual({ deploymentNumber: 4, version: '2', state: 'COMPLETE' });
    expect(fake.callsOf('StartDeployment')[0]!.input).toMatchObject({
      ConfigurationProfileId: 'feature-flags',
      ConfigurationVersion: '2',
      DeploymentStrategyId: 'instant',
      Description: 'Rewind RB-7: FeatureFlags revert (production)',
    });
    expect(progress[0]).toMatch(/^AppConfig deployment #4 of version 2: DEPLOYING \d+%$/);
    expect(progress.at(-1)).toBe('AppConfig deployment #4 of version 2: COMPLETE 100%');
  });

  it('deploys the catalog`s version for off, and `set <version>`', async () => {
    seedHistory();
    expect((await driver().plan(request('off'), driverContext())).target).toBe('version 2');
    expect((await driver().plan(request('set', '1'), driverContext())).target).toBe('version 1');
    await expect(driver().plan(request('set', '3'), driverContext())).rejects.toThrow(
      'distrocv/prod profile feature-flags already serves configuration version 3 (deployment #3, 2024-01-15 10:00 UTC): nothing to deploy.',
    );
  });

  it('fails the step when AppConfig rolls the deployment back', async () => {
    seedHistory();
    const plan = await driver().plan(request('revert'), driverContext());
    fake.rollBackNext();
    const run = stepContext(plan, 'deploy', target());
    const error = await driver()
      .runStep(run.context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailed);
    expect(error).toMatchObject({ name: 'DeploymentRolledBack', permanent: true });
    expect((error as Error).message).toMatch(/^AppConfig (rolled back|is rolling back) deployment #4 of feature-flags version 2\.$/);
  });

  it('adopts its own deployment when repeated after a crash instead of starting another', async () => {
    seedHistory();
    const plan = await driver().plan(request('revert'), driverContext());
    const crashed = stepContext(plan, 'deploy', target(), {
      save: async () => {
        throw new Error('worker killed');
      },
    });
    await expect(driver().runStep(crashed.context)).rejects.toThrow('worker killed');
    const repeat = stepContext(plan, 'deploy', target(), { firstStartedAt: crashed.context.firstStartedAt });
    expect(await driver().runStep(repeat.context)).toEqual({ deploymentNumber: 4, version: '2', state: 'COMPLETE' });
    expect(fake.callsOf('StartDeployment')).toHaveLength(1);
    expect(fake.deployments).toHaveLength(4);
  });

  it('refuses revert without an earlier version, and reports drift after another deployment', async () => {
    fake.seedDeployment('distrocv', 'prod', 'feature-flags', '3');
    const refused = await driver()
      .plan(request('revert'), driverContext())
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlanRefused);
    expect((refused as Error).message).toBe(
      'No earlier deployment of distrocv/prod profile feature-flags served another version than 3, so there is nothing to revert to: use set <version>.',
    );

    const plan = await driver().plan(request('off'), driverContext());
    expect(await driver().drift(plan, target(), driverContext())).toBeUndefined();
    fake.seedDeployment('distrocv', 'prod', 'feature-flags', '1');
    expect(await driver().drift(plan, target(), driverContext())).toMatch(
      /^distrocv\/prod profile feature-flags now serves version 1 \(deployment #2, .*\); at plan time it served 3$/,
    );
  });

  it('names a version AppConfig does not have', async () => {
    seedHistory();
    const plan = await driver().plan(request('set', '9'), driverContext());
    const run = stepContext(plan, 'deploy', target());
    await expect(driver().runStep(run.context)).rejects.toMatchObject({
      name: 'BadRequestException',
      message: 'AppConfig refused to deploy feature-flags version 9: Configuration version 9 of profile feature-flags does not exist',
      permanent: true,
    });
  });
});
