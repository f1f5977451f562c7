import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Plan } from '../../src/domain/rollback.js';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { createEcsDriver } from '../../src/drivers/ecs/driver.js';
import { ecsDriver } from '../../src/drivers/ecs/index.js';
import { ecsTarget, type EcsTarget } from '../../src/drivers/ecs/target.js';
import { startFakeEcs, type FakeEcs } from '../fakes/aws/ecs.js';
import { stepContext, type StepOverrides } from '../fakes/aws/steps.js';
import { asExecutor } from '../support/driver.js';
import { refusal, stepFailure } from '../support/rejections.js';

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/distrocv-api';
const log = pino({ level: 'silent' });

let fake: FakeEcs;
let client: ECSClient;

beforeEach(async () => {
  fake = await startFakeEcs({ tickMs: 20 });
  client = new ECSClient({
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
});

afterEach(async () => {
  client.destroy();
  await fake.close();
});

const driver = () => asExecutor(ecsDriver, createEcsDriver({ ecs: () => client, minPollSec: 0.01 }));

function target(overrides: Record<string, unknown> = {}): EcsTarget {
  return ecsTarget.parse({ driver: 'ecs', cluster: 'distrocv-prod', service: 'api', pollInterval: '20ms', stableTimeout: '20s', ...overrides });
}

function request(version?: string, overrides: Record<string, unknown> = {}): PlanRequest<EcsTarget> {
  return { rollbackId: 'RB-1', service: 'api', environment: 'production', target: target(overrides), version };
}

const ctx = (signal = new AbortController().signal) => ({ signal, log });

/**
 * distrocv-api:1..43 (:41 runs v2.0.0, :42 v2.0.1, :43 v2.0.2); the service ran :39, then :42,
 * so history and "highest revision below" disagree and tests can tell which one was used.
 */
function seed(opts: { circuitBreakerRollback?: boolean; desired?: number } = {}) {
  for (let n = 1; n <= 43; n++) {
    const tag = n >= 41 ? `v2.0.${n - 41}` : `build-${n}`;
    fake.registerTaskDefinition('distrocv-api', [{ name: 'api', image: `${ECR}/distrocv-api:${tag}` }], { cpu: n === 41 ? '256' : '512' });
  }
  fake.deregisterTaskDefinition('distrocv-api:43');
  fake.createService('distrocv-prod', 'api', 'distrocv-api:39', opts.desired ?? 3, { circuitBreakerRollback: opts.circuitBreakerRollback });
  fake.deployNow('distrocv-prod', 'api', 'distrocv-api:42');
}

const stepCtx = (plan: Plan, stepId: string, extra: StepOverrides<EcsTarget> = {}) => stepContext(plan, stepId, target(), { rollbackId: 'RB-1', ...extra });

describe('ecs driver: plan', () => {
  it('picks the previous task definition from the deployment history once only the PRIMARY deployment is left', async () => {
    seed();
    expect(fake.service('distrocv-prod', 'api').deployments).toHaveLength(1);

    const plan = await driver().plan(request(), ctx());

    expect(plan.current).toBe('distrocv-api:42 (api:v2.0.1)');
    expect(plan.target).toBe('distrocv-api:39 (api:build-39)');
    expect(plan.changes[0]).toBe('image api: distrocv-api:v2.0.1 → distrocv-api:build-39');
    expect(plan.changes.at(-1)).toMatch(/^distrocv-api:39 is the last successful deployment before distrocv-api:42 \(finished .* UTC\)$/);
    expect(plan.steps).toEqual([
      { id: 'update-service', title: 'Update service api to distrocv-api:39 (force new deployment)', driver: 'ecs' },
      { id: 'wait-stable', title: 'Wait until api runs distrocv-api:39 on all tasks', driver: 'ecs' },
    ]);
    expect(plan.fingerprint).toBe(`${TD}:42`);
    expect(plan.data).toMatchObject({
      cluster: 'distrocv-prod',
      service: 'api',
      currentTaskDefinition: `${TD}:42`,
      targetTaskDefinition: `${TD}:39`,
      logGroup: '/ecs/distrocv-api',
      catalogService: 'api',
      environment: 'production',
    });
    expect(plan.warnings).toBeUndefined();
    expect(fake.callsTo('ListServiceDeployments')[0]?.input).toMatchObject({ cluster: 'distrocv-prod', service: 'api', status: ['SUCCESSFUL'] });
  });

  it('falls back to the highest ACTIVE revision below the current one when the service has no history', async () => {
    seed();
    fake.forgetHistory('distrocv-prod', 'api');

    const plan = await driver().plan(request(), ctx());

    expect(plan.target).toBe('distrocv-api:41 (api:v2.0.0)');
    expect(plan.changes).toEqual([
      'image api: distrocv-api:v2.0.1 → distrocv-api:v2.0.0',
      'task cpu: 512 → 256',
      'distrocv-api:41 is the newest ACTIVE revision below distrocv-api:42 (no earlier deployment in the service history)',
    ]);
    expect(fake.callsTo('ListTaskDefinitions')[0]?.input).toMatchObject({ familyPrefix: 'distrocv-api', status: 'ACTIVE', sort: 'DESC' });
  });

  it('falls back as well when Rewind may not read the deployment history', async () => {
    seed();
    fake.failNext('ListServiceDeployments', { type: 'AccessDeniedException', message: 'not authorized to perform: ecs:ListServiceDeployments' });

    const plan = await driver().plan(request(), ctx());

    expect(plan.data.targetTaskDefinition).toBe(`${TD}:41`);
  });

  it.each(['41', 'distrocv-api:41', `${TD}:41`, 'v2.0.0'])('plans `to %s` as distrocv-api:41', async (version) => {
    seed();

    const plan = await driver().plan(request(version), ctx());

    expect(plan.target).toBe('distrocv-api:41 (api:v2.0.0)');
    expect(plan.data.targetTaskDefinition).toBe(`${TD}:41`);
    expect(fake.callsTo('ListServiceDeployments')).toHaveLength(0);
  });

  it('refuses a revision that does not exist and offers the newest ACTIVE revisions', async () => {
    seed();

    const refused = await refusal(driver().plan(request('99'), ctx()));

    expect(refused.message).toBe('distrocv-api:99 does not exist: pick an ACTIVE revision of distrocv-api');
    expect(refused.choices).toEqual([41, 40, 39, 38, 37, 36, 35, 34, 33, 32].map((n) => `distrocv-api:${n}`));
  });

  it('refuses an INACTIVE revision and leaves it out of the choices', async () => {
    seed();
    fake.deregisterTaskDefinition('distrocv-api:40');

    const refused = await refusal(driver().plan(request('distrocv-api:40'), ctx()));

    expect(refused.message).toMatch(/^distrocv-api:40 is INACTIVE \(deregistered\), so ECS will not deploy it/);
    expect(refused.choices.slice(0, 3)).toEqual(['distrocv-api:41', 'distrocv-api:39', 'distrocv-api:38']);
  });

  it('refuses the revision the service already runs', async () => {
    seed();

    const refused = await refusal(driver().plan(request('42'), ctx()));

    expect(refused.message).toBe('api already runs distrocv-api:42: pick an earlier revision');
    expect(refused.choices).not.toContain('distrocv-api:42');
  });

  it('refuses another family, another account and text that is no version', async () => {
    seed();

    expect((await refusal(driver().plan(request('distrocv-web:41'), ctx()))).message).toMatch(
      /^distrocv-web:41 is not a revision of distrocv-api, the task definition family that api runs/,
    );
    expect((await refusal(driver().plan(request('arn:aws:ecs:eu-west-1:999999999999:task-definition/distrocv-api:41'), ctx()))).message).toMatch(
      /is in another account or region than service api/,
    );
    expect((await refusal(driver().plan(request('$(rm -rf /)'), ctx()))).message).toMatch(/is not an ECS version/);
    expect((await refusal(driver().plan(request('v9.9.9'), ctx()))).message).toBe(
      'no ACTIVE revision among the newest 10 of distrocv-api runs an image tagged v9.9.9',
    );
  });

  it('refuses an unknown service, an unknown cluster and a deleted service, naming them', async () => {
    seed();
    fake.createService('distrocv-prod', 'old-api', 'distrocv-api:39', 1);
    fake.deleteService('distrocv-prod', 'old-api');

    const noService = await refusal(driver().plan(request(undefined, { service: 'nope' }), ctx()));
    expect(noService.message).toBe(
      'ECS cluster distrocv-prod has no service nope (MISSING). Check cluster and service for api/production in the Rewind catalog.',
    );
    const noCluster = await refusal(driver().plan(request(undefined, { cluster: 'distrocv-staging' }), ctx()));
    expect(noCluster.message).toMatch(/^ECS cluster distrocv-staging does not exist\./);
    const deleted = await refusal(driver().plan(request(undefined, { service: 'old-api' }), ctx()));
    expect(deleted.message).toMatch(/^ECS service old-api in cluster distrocv-prod is INACTIVE/);
  });

  it('survives ECS throttling through the SDK retries', async () => {
    seed();
    fake.failNext('DescribeServices', { type: 'ThrottlingException', message: 'Rate exceeded' }, 2);

    const plan = await driver().plan(request('41'), ctx());

    expect(plan.data.targetTaskDefinition).toBe(`${TD}:41`);
    expect(fake.callsTo('DescribeServices')).toHaveLength(3);
  });

  it('warns when a rollout is still in progress at plan time', async () => {
    seed();
    fake.tickMs = 60_000;
    await client.send(new UpdateServiceCommand({ cluster: 'distrocv-prod', service: 'api', taskDefinition: 'distrocv-api:41' }));

    const plan = await driver().plan(request('40'), ctx());

    expect(plan.current).toBe('distrocv-api:41 (api:v2.0.0)');
    expect(plan.warnings).toEqual(['A deployment of distrocv-api:41 is still in progress on api (0/3 tasks); the rollback replaces it.']);
  });
});

describe('ecs driver: steps', () => {
  it('updates the service and waits until every task runs the target, reporting progress when counts change', async () => {
    seed();
    const plan = await driver().plan(request('41'), ctx());

    const update = stepCtx(plan, 'update-service');
    const out = await driver().runStep(update.context);
    expect(out).toMatchObject({ taskDefinition: `${TD}:41`, adopted: false });
    expect(update.checkpoints).toEqual([{ deploymentId: (out as { deploymentId: string }).deploymentId }]);
    expect(fake.callsTo('UpdateService')[0]?.input).toEqual({
      cluster: 'distrocv-prod',
      service: 'api',
      taskDefinition: `${TD}:41`,
      forceNewDeployment: true,
    });

    const wait = stepCtx(plan, 'wait-stable');
    expect(await driver().runStep(wait.context)).toEqual({ taskDefinition: `${TD}:41`, runningCount: 3, desiredCount: 3 });
    expect(wait.progress.at(-1)).toBe('3/3 tasks running distrocv-api:41');
    expect(new Set(wait.progress).size).toBe(wait.progress.length);
    const service = fake.service('distrocv-prod', 'api');
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments[0]).toMatchObject({ taskDefinition: `${TD}:41`, rolloutState: 'COMPLETED', runningCount: 3 });
  });

  it('fails with CircuitBreakerRolledBack when the target crash-loops and ECS puts the old revision back', async () => {
    seed();
    fake.setImageBehaviour(`${ECR}/distrocv-api:v2.0.0`, 'crashloop');
    const plan = await driver().plan(request('41'), ctx());
    await driver().runStep(stepCtx(plan, 'update-service').context);

    const failed = await stepFailure(driver().runStep(stepCtx(plan, 'wait-stable').context));

    expect(failed.code).toBe('CircuitBreakerRolledBack');
    expect(failed.permanent).toBe(true);
    // Caught mid-rollback, the reason comes from the failed deployment; caught later, from the deployment history.
    expect(failed.message).toMatch(
      /^The ECS deployment circuit breaker stopped the rollout of distrocv-api:41 on api \((ECS deployment circuit breaker: tasks failed to start\.|Service deployment rolled back because the circuit breaker threshold was exceeded\.)\) and put distrocv-api:42 back\. api is not rolled back\.$/,
    );
    expect(failed.hint).toContain('aws ecs list-tasks --cluster distrocv-prod --service-name api --desired-status STOPPED');
    expect(failed.hint).toContain('aws logs tail /ecs/distrocv-api --since 30m');
    expect(failed.hint).toContain('/rollback api production to <revision>');
  });

  it('still recognises the circuit breaker when its rollback finished before the wait started', async () => {
    seed();
    fake.setImageBehaviour(`${ECR}/distrocv-api:v2.0.0`, 'crashloop');
    const plan = await driver().plan(request('41'), ctx());
    const firstStartedAt = new Date();
    await driver().runStep(stepCtx(plan, 'update-service').context);
    await vi.waitFor(() => {
      const service = fake.service('distrocv-prod', 'api');
      expect(service.deployments).toHaveLength(1);
      expect(service.taskDefinition).toBe(`${TD}:42`);
    });

    const failed = await stepFailure(driver().runStep(stepCtx(plan, 'wait-stable', { firstStartedAt }).context));

    expect(failed.code).toBe('CircuitBreakerRolledBack');
    expect(failed.message).toContain('(Service deployment rolled back because the circuit breaker threshold was exceeded.) and put distrocv-api:42 back');
  });

  it('fails with DeploymentReplaced when someone else deploys while Rewind waits', async () => {
    seed();
    fake.tickMs = 60_000;
    const plan = await driver().plan(request('41'), ctx());
    await driver().runStep(stepCtx(plan, 'update-service').context);
    fake.deployNow('distrocv-prod', 'api', 'distrocv-api:40');

    const failed = await stepFailure(driver().runStep(stepCtx(plan, 'wait-stable').context));

    expect(failed.code).toBe('DeploymentReplaced');
    expect(failed.message).toBe(
      'While Rewind waited, api moved to distrocv-api:40 (someone else deployed, or the circuit breaker gave up on distrocv-api:41), so the rollback to distrocv-api:41 did not stick.',
    );
    expect(failed.hint).toContain('/rollback api production');
  });

  it('fails with RolloutFailed when the circuit breaker has no rollback', async () => {
    seed({ circuitBreakerRollback: false });
    fake.setImageBehaviour(`${ECR}/distrocv-api:v2.0.0`, 'crashloop');
    const plan = await driver().plan(request('41'), ctx());
    await driver().runStep(stepCtx(plan, 'update-service').context);

    const failed = await stepFailure(driver().runStep(stepCtx(plan, 'wait-stable').context));

    expect(failed.code).toBe('RolloutFailed');
    expect(failed.message).toMatch(/^The rollout of distrocv-api:41 on api failed \(ECS deployment circuit breaker: tasks failed to start\.\)/);
    expect(failed.hint).toContain('aws logs tail /ecs/distrocv-api');
  });

  it('adopts its own deployment when update-service is repeated after a crash instead of deploying twice', async () => {
    seed();
    fake.tickMs = 60_000;
    const plan = await driver().plan(request('41'), ctx());
    const firstStartedAt = new Date(Date.now() - 1000);

    const first = (await driver().runStep(stepCtx(plan, 'update-service', { firstStartedAt }).context)) as { deploymentId: string };
    const repeat = await driver().runStep(stepCtx(plan, 'update-service', { firstStartedAt }).context);
    // A clock far ahead of AWS's would miss the deployment by time; the checkpoint still finds it.
    const skewed = await driver().runStep(
      stepCtx(plan, 'update-service', { firstStartedAt: new Date(Date.now() + 3_600_000), journal: { deploymentId: first.deploymentId } }).context,
    );

    expect(repeat).toEqual({ deploymentId: first.deploymentId, taskDefinition: `${TD}:41`, adopted: true });
    expect(skewed).toEqual(repeat);
    expect(fake.callsTo('UpdateService')).toHaveLength(1);
    expect(fake.service('distrocv-prod', 'api').deployments).toHaveLength(2);
  });

  it('deploys again when the PRIMARY deployment of the target predates this step', async () => {
    seed();
    fake.deployNow('distrocv-prod', 'api', 'distrocv-api:41');
    const plan = await driver().plan(request('40'), ctx());
    fake.deployNow('distrocv-prod', 'api', 'distrocv-api:40');

    await driver().runStep(stepCtx(plan, 'update-service', { firstStartedAt: new Date(Date.now() + 3_600_000) }).context);

    expect(fake.callsTo('UpdateService')).toHaveLength(1);
  });

  it('turns AccessDeniedException into a permanent failure naming the call and AWS message', async () => {
    seed();
    const plan = await driver().plan(request('41'), ctx());
    fake.failNext('UpdateService', {
      type: 'AccessDeniedException',
      message: 'User: arn:aws:sts::123456789012:assumed-role/rewind/worker is not authorized to perform: ecs:UpdateService',
    });

    const failed = await stepFailure(driver().runStep(stepCtx(plan, 'update-service').context));

    expect(failed.code).toBe('AccessDeniedException');
    expect(failed.permanent).toBe(true);
    expect(failed.message).toBe(
      'AWS refused UpdateService: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/rewind/worker is not authorized to perform: ecs:UpdateService',
    );
    expect(failed.hint).toContain('ecs:UpdateService');
    expect(fake.callsTo('UpdateService')).toHaveLength(1);
  });

  it('asks for a new plan when the target was deregistered after planning', async () => {
    seed();
    const plan = await driver().plan(request('41'), ctx());
    fake.deregisterTaskDefinition('distrocv-api:41');

    const failed = await stepFailure(driver().runStep(stepCtx(plan, 'update-service').context));

    expect(failed.code).toBe('ClientException');
    expect(failed.message).toBe('AWS refused UpdateService: ClientException: TaskDefinition is inactive');
    expect(failed.hint).toBe(
      'ECS rejected distrocv-api:41 for api; it may have been deregistered since planning. Ask for a new plan with /rollback api production',
    );
  });

  it('keeps waiting through transient DescribeServices failures the SDK gave up on', async () => {
    seed();
    const plan = await driver().plan(request('41'), ctx());
    await driver().runStep(stepCtx(plan, 'update-service').context);
    // As many failures as one call's SDK attempts: the waiter itself polls again.
    fake.failNext('DescribeServices', { type: 'ServerException', message: 'Internal error', status: 500 }, 3);

    const out = await driver().runStep(stepCtx(plan, 'wait-stable').context);

    expect(out).toMatchObject({ runningCount: 3 });
  });

  it('stops waiting when the signal aborts', async () => {
    seed();
    fake.tickMs = 60_000;
    const plan = await driver().plan(request('41'), ctx());
    await driver().runStep(stepCtx(plan, 'update-service').context);
    const controller = new AbortController();

    const wait = stepCtx(plan, 'wait-stable', {
      signal: controller.signal,
      progress: () => controller.abort(new DOMException('rollback cancelled', 'AbortError')),
    });
    const error = await driver()
      .runStep(wait.context)
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect((error as Error).name).toBe('AbortError');
    expect((error as Error).message).toBe('rollback cancelled');
    expect(fake.service('distrocv-prod', 'api').deployments[0].rolloutState).toBe('IN_PROGRESS');
  });

  it('gives up with StabilityTimeout when the service does not settle in time', async () => {
    seed();
    fake.tickMs = 60_000;
    const plan = await driver().plan(request('41'), ctx());
    await driver().runStep(stepCtx(plan, 'update-service').context);

    const failed = await stepFailure(driver().runStep(stepCtx(plan, 'wait-stable', { target: target({ stableTimeout: '1s' }) }).context));

    expect(failed.code).toBe('StabilityTimeout');
    expect(failed.permanent).toBe(true);
    expect(failed.message).toBe(
      'api did not reach a steady state on distrocv-api:41 within 1s: 0/3 tasks run distrocv-api:41. ECS may still be deploying; Rewind stopped waiting.',
    );
    expect(failed.hint).toContain("aws ecs describe-services --cluster distrocv-prod --services api --query 'services[0].events[:10]'");
  });
});

describe('ecs driver: drift', () => {
  it("reports nothing while the service runs the planned revision or Rewind's own deployment", async () => {
    seed();
    const plan = await driver().plan(request('41'), ctx());
    expect(await driver().drift(plan, target(), ctx())).toBeUndefined();

    await driver().runStep(stepCtx(plan, 'update-service').context);

    expect(await driver().drift(plan, target(), ctx())).toBeUndefined();
  });

  it('says what moved when someone deployed after planning', async () => {
    seed();
    const plan = await driver().plan(request('41'), ctx());
    fake.registerTaskDefinition('distrocv-api', [{ name: 'api', image: `${ECR}/distrocv-api:v2.0.3` }]);
    fake.deployNow('distrocv-prod', 'api', 'distrocv-api:44');

    expect(await driver().drift(plan, target(), ctx())).toBe(
      'api now runs distrocv-api:44 (planned from :42); ask for a new plan with /rollback api production',
    );
  });

  it('says when the service was deleted after planning', async () => {
    seed();
    const plan = await driver().plan(request('41'), ctx());
    fake.deleteService('distrocv-prod', 'api');

    expect(await driver().drift(plan, target(), ctx())).toMatch(
      /^ECS service api in cluster distrocv-prod is INACTIVE .*; ask for a new plan with \/rollback api production$/,
    );
  });
});
