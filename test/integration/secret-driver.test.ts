import { Writable } from 'node:stream';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/rollback.js';
import type { PlanRequest } from '../../src/drivers/driver.js';
import { createSecretDriver } from '../../src/drivers/secret/driver.js';
import { secretDriver } from '../../src/drivers/secret/index.js';
import { secretTarget, type SecretTarget } from '../../src/drivers/secret/target.js';
import { lazyKubeApis } from '../../src/drivers/shared/restart/restart.js';
import { sdkConfig } from '../fakes/aws/index.js';
import { startFakeEcs, type FakeEcs } from '../fakes/aws/ecs.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../fakes/aws/secrets-manager.js';
import { stepContext, type StepOverrides } from '../fakes/aws/steps.js';
import { fakeKubeConfigFor } from '../fakes/kubernetes/harness.js';
import { startFakeKube, type FakeKube } from '../fakes/kubernetes/server.js';
import { asExecutor } from '../support/driver.js';
import { notificationFor } from '../support/notification.js';
import { refusal, stepFailure } from '../support/rejections.js';

const OLD_JWT = 'jwt-Zx81!old-never-shown';
const OLD_KEY = 'ak-Qq72!old-never-shown';
const KEPT = 'db-Pw33!kept-never-shown';
const SECRET = JSON.stringify({ JWT_SECRET: OLD_JWT, API_KEY: OLD_KEY, DB_PASSWORD: KEPT, DB_HOST: 'db.internal' });
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:distrocv-rotate';
const NS = 'production';
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

let sm: FakeSecretsManager;
let ecs: FakeEcs;
let kube: FakeKube;
let clients: { secrets: SecretsManagerClient; ecs: ECSClient };
let logged: string;
const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => ((logged += String(chunk)), done()) }));

beforeEach(async () => {
  [sm, ecs, kube] = await Promise.all([startFakeSecretsManager(), startFakeEcs({ tickMs: 10 }), startFakeKube({ tickMs: 10 })]);
  clients = { secrets: new SecretsManagerClient(sdkConfig(sm.url)), ecs: new ECSClient(sdkConfig(ecs.url)) };
  logged = '';
  sm.createSecret('distrocv/api', SECRET);
  ecs.registerTaskDefinition('distrocv-api', [{ name: 'api', image: 'distrocv-api:v2.0.1' }]);
  ecs.createService('distrocv-prod', 'api', 'distrocv-api:1', 2);
  kube.addDeployment(NS, 'skillancer-api', { revisions: ['reg.example.com/skillancer/api:1.0.0'], replicas: 2 });
});

afterEach(async () => {
  Object.values(clients).forEach((c) => c.destroy());
  await Promise.all([sm.close(), ecs.close(), kube.close()]);
});

const driver = () =>
  asExecutor(
    secretDriver,
    createSecretDriver({
      secrets: () => clients.secrets,
      restart: { ecs: () => clients.ecs, kube: lazyKubeApis(async () => fakeKubeConfigFor(kube)) },
      minPollSec: 0.01,
    }),
  );

function target(overrides: Record<string, unknown> = {}): SecretTarget {
  return secretTarget.parse({
    driver: 'secret',
    secretId: 'distrocv/api',
    rotation: { generate: { keys: ['JWT_SECRET', 'API_KEY'] } },
    dependents: [{ ecs: { cluster: 'distrocv-prod', service: 'api' } }, { kubernetes: { namespace: NS, deployment: 'skillancer-api' } }],
    approval: { from: ['cto', 'security'], count: 2 },
    pollInterval: '10ms',
    rotationTimeout: '1s',
    restartTimeout: '10s',
    ...overrides,
  });
}

const ctx = () => ({ signal: new AbortController().signal, log });
const request = (t: SecretTarget, rollbackId = 'RB-9'): PlanRequest<SecretTarget> => ({
  rollbackId,
  service: 'api-secrets',
  environment: 'production',
  target: t,
});
const step = (plan: Plan, id: string, t: SecretTarget, o: StepOverrides<SecretTarget> = {}) => stepContext(plan, id, t, { ...ctx(), rollbackId: 'RB-9', ...o });
const current = () => JSON.parse(sm.current('distrocv/api')!) as Record<string, string>;
const patches = () => kube.calls.filter((c) => c.method === 'PATCH');
const crash = { save: () => Promise.reject(new Error('worker killed')) };

async function runAll(plan: Plan, t: SecretTarget) {
  const outputs: Record<string, unknown> = {};
  const progress: string[] = [];
  for (const s of plan.steps) {
    const run = step(plan, s.id, t);
    outputs[s.id] = await driver().runStep(run.context);
    progress.push(...run.progress);
  }
  return { outputs, progress };
}

describe('secret driver: generated values', () => {
  it('gives only the listed keys new values, keeps the rest and the old version as AWSPREVIOUS, then restarts each reader', async () => {
    const t = target();
    const before = sm.versionIds('distrocv/api')[0]!;
    const plan = await driver().plan(request(t), ctx());

    expect(plan.steps.map((s) => s.id)).toEqual(['rotate', 'restart-1', 'restart-2']);
    expect(plan.current).toBe(`distrocv/api @ ${before.slice(0, 8)}`);
    expect(plan.target).toBe('distrocv/api @ new version');
    expect(notificationFor(plan, 'api-secrets')).toContain('- Version: distrocv/api rotated to a new version (the old one kept as AWSPREVIOUS)');
    expect(plan.changes).toEqual([
      'rotate: secret distrocv/api, new random values for JWT_SECRET, API_KEY (32 characters); its other keys are kept',
      `version: AWSCURRENT ${before} → new version (the old one stays as AWSPREVIOUS)`,
      'restart: ECS distrocv-prod/api, deployment/skillancer-api in production',
    ]);
    expect(plan.warnings?.[0]).toMatch(/^Only the copy in Secrets Manager changes/);

    const { outputs, progress } = await runAll(plan, t);

    const now = current();
    expect(now.DB_PASSWORD).toBe(KEPT);
    expect(now.DB_HOST).toBe('db.internal');
    expect(now.JWT_SECRET).toHaveLength(32);
    expect(now.API_KEY).toHaveLength(32);
    expect(now.JWT_SECRET).not.toBe(now.API_KEY);
    expect(sm.callsTo('GetRandomPassword').map((c) => c.input)).toEqual([
      { PasswordLength: 32, ExcludePunctuation: false },
      { PasswordLength: 32, ExcludePunctuation: false },
    ]);
    expect(sm.callsTo('PutSecretValue')[0]!.input).toMatchObject({ ClientRequestToken: plan.data.newVersionId });
    expect(sm.stages('distrocv/api')).toEqual({ [before]: ['AWSPREVIOUS'], [String(plan.data.newVersionId)]: ['AWSCURRENT'] });
    expect(JSON.parse(sm.valueAt('distrocv/api', 'AWSPREVIOUS')!)).toEqual(JSON.parse(SECRET));
    expect(outputs.rotate).toEqual({ secret: 'distrocv/api', versionId: plan.data.newVersionId, previousVersionId: before, keys: ['JWT_SECRET', 'API_KEY'] });

    expect(ecs.callsTo('UpdateService')).toHaveLength(1);
    expect(ecs.callsTo('UpdateService')[0]!.input).toMatchObject({ cluster: 'distrocv-prod', service: 'api', forceNewDeployment: true });
    expect(outputs['restart-1']).toMatchObject({ service: 'distrocv-prod/api', runningCount: 2, desiredCount: 2 });
    expect(patches()).toHaveLength(1);
    expect(patches()[0]!.contentType).toBe('application/strategic-merge-patch+json');
    expect(kube.deployment(NS, 'skillancer-api')?.spec.template.metadata.annotations[RESTARTED_AT]).toBe(
      (outputs['restart-2'] as { restartedAt: string }).restartedAt,
    );
    expect(kube.replicaSets(NS, 'skillancer-api')).toHaveLength(2);
    expect(outputs['restart-2']).toMatchObject({ deployment: 'production/skillancer-api', status: 'deployment "skillancer-api" successfully rolled out' });

    // No value, old, kept or new, reaches the plan, the step outputs, the thread or the logs.
    const visible = JSON.stringify({ plan, outputs, progress }) + logged;
    expect(logged).toContain('secret rotated');
    for (const value of [OLD_JWT, OLD_KEY, KEPT, now.JWT_SECRET!, now.API_KEY!]) expect(visible).not.toContain(value);
  });

  it('rotates and restarts exactly once when each step is repeated after a crash before its checkpoint', async () => {
    const t = target();
    const plan = await driver().plan(request(t), ctx());
    for (const s of plan.steps) {
      const crashed = step(plan, s.id, t, crash);
      await expect(driver().runStep(crashed.context)).rejects.toThrow('worker killed');
      // The executor repeats the step with its first start time and whatever was journaled (nothing).
      await driver().runStep(step(plan, s.id, t, { firstStartedAt: crashed.context.firstStartedAt }).context);
    }
    expect(sm.callsTo('PutSecretValue')).toHaveLength(1);
    expect(sm.callsTo('GetRandomPassword')).toHaveLength(2);
    expect(sm.versionIds('distrocv/api')).toHaveLength(2);
    expect(ecs.callsTo('UpdateService')).toHaveLength(1);
    expect(patches()).toHaveLength(1);
    expect(kube.replicaSets(NS, 'skillancer-api')).toHaveLength(2);
  });

  it('waits for its journaled restart instead of restarting again', async () => {
    const t = target();
    const plan = await driver().plan(request(t), ctx());
    await driver().runStep(step(plan, 'rotate', t).context);
    const first = step(plan, 'restart-2', t);
    await driver().runStep(first.context);
    expect(first.checkpoints).toEqual([{ restartedAt: expect.any(String) }]);
    // A later attempt (its own first-start time) with the journal: the checkpoint answers.
    await driver().runStep(step(plan, 'restart-2', t, { journal: first.journal }).context);
    expect(patches()).toHaveLength(1);
  });

  it('refuses a plan naming a key the secret lacks, listing its keys and never its values', async () => {
    const refused = await refusal(driver().plan(request(target({ rotation: { generate: { keys: ['JWT_SECRET', 'SESSION_KEY'] } } })), ctx()));
    expect(refused.message).toBe(
      'Secret distrocv/api has no key "SESSION_KEY" (its keys: JWT_SECRET, API_KEY, DB_PASSWORD, DB_HOST). Fix rotation.generate.keys in the catalog.',
    );

    sm.createSecret('plain', `token=${OLD_KEY}`);
    const plain = await refusal(driver().plan(request(target({ secretId: 'plain' })), ctx()));
    expect(plain.message).toMatch(/^Secret plain is not a JSON object/);
    expect(plain.message).not.toContain(OLD_KEY);
  });
});

describe('secret driver: rotation function', () => {
  beforeEach(() => {
    sm.createSecret('distrocv/db', JSON.stringify({ username: 'distrocv', password: OLD_KEY }), { rotation: { lambdaArn: LAMBDA } });
  });

  it('calls RotateSecret immediately with the rollback token, waits until the new version is AWSCURRENT, and never twice', async () => {
    const t = target({ secretId: 'distrocv/db', rotation: 'lambda', dependents: [{ ecs: { cluster: 'distrocv-prod', service: 'api' } }] });
    const before = sm.versionIds('distrocv/db')[0]!;
    const plan = await driver().plan(request(t), ctx());
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Rotate secret distrocv/db with its rotation function distrocv-rotate (RotateSecret) and wait until the new version is AWSCURRENT',
      'Restart ECS distrocv-prod/api (force new deployment) and wait until every task is replaced (up to 10s)',
    ]);
    expect(plan.warnings).toBeUndefined();

    const crashed = step(plan, 'rotate', t, crash);
    await expect(driver().runStep(crashed.context)).rejects.toThrow('worker killed');
    const output = await driver().runStep(step(plan, 'rotate', t, { firstStartedAt: crashed.context.firstStartedAt }).context);

    expect(sm.callsTo('RotateSecret')).toHaveLength(1);
    expect(sm.callsTo('RotateSecret')[0]!.input).toEqual({ SecretId: plan.data.arn, ClientRequestToken: plan.data.newVersionId, RotateImmediately: true });
    expect(sm.stages('distrocv/db')).toEqual({ [before]: ['AWSPREVIOUS'], [String(plan.data.newVersionId)]: ['AWSCURRENT'] });
    expect(output).toEqual({ secret: 'distrocv/db', versionId: plan.data.newVersionId, previousVersionId: before });
    expect(JSON.stringify(output) + logged).not.toContain(JSON.parse(sm.current('distrocv/db')!).password);
  });

  it('refuses `rotation: lambda` for a secret without rotation configured, saying how to fix it', async () => {
    const refused = await refusal(driver().plan(request(target({ rotation: 'lambda' })), ctx()));
    expect(refused.message).toMatch(/^Secret distrocv\/api has no rotation configured, so `rotation: lambda` cannot rotate it\./);
    expect(refused.message).toContain('aws secretsmanager rotate-secret --secret-id distrocv/api --rotation-lambda-arn <function-arn>');
    expect(refused.message).toContain('`rotation: { generate: { keys: [...] } }`');
    expect(sm.callsTo('RotateSecret')).toHaveLength(0);
  });

  it('names the function logs when the rotation does not finish, and refuses the next plan until the stuck version is dropped', async () => {
    sm.createSecret('stuck', JSON.stringify({ password: OLD_KEY }), { rotation: { lambdaArn: LAMBDA, fails: true } });
    const t = target({ secretId: 'stuck', rotation: 'lambda', dependents: [] });
    const plan = await driver().plan(request(t), ctx());
    const error = await stepFailure(driver().runStep(step(plan, 'rotate', t).context));
    expect(error.code).toBe('RotationTimeout');
    expect(error.message).toMatch(
      /^The rotation of secret stuck did not finish within 1s: version rewind-\w+ is still AWSPENDING and AWSCURRENT has not moved, so nothing was restarted\.$/,
    );
    expect(error.hint).toContain('aws logs tail /aws/lambda/distrocv-rotate --since 30m');

    const again = await refusal(driver().plan(request(t, 'RB-10'), ctx()));
    expect(again.message).toContain(`version ${plan.data.newVersionId} is still AWSPENDING`);
    expect(again.message).toContain(`--version-stage AWSPENDING --remove-from-version-id ${plan.data.newVersionId}`);
  });
});

describe('secret driver: plan and drift', () => {
  it('reports drift when someone changes the secret after the plan, not after its own rotation', async () => {
    const t = target();
    const plan = await driver().plan(request(t), ctx());
    await expect(driver().drift(plan, t, ctx())).resolves.toBeUndefined();
    await driver().runStep(step(plan, 'rotate', t).context);
    await expect(driver().drift(plan, t, ctx())).resolves.toBeUndefined();

    const fresh = await driver().plan(request(t, 'RB-11'), ctx());
    const moved = sm.putValue('distrocv/api', JSON.stringify({ ...current(), JWT_SECRET: 'by hand' }));
    await expect(driver().drift(fresh, t, ctx())).resolves.toBe(
      `Secret distrocv/api's AWSCURRENT version changed since planning (${fresh.data.currentVersionId} → ${moved}): someone rotated or changed it, so the approved rotation would start from another value.`,
    );
  });

  it('refuses a dependent that does not exist, a version, and an unknown secret, each with the fix', async () => {
    const gone = await refusal(driver().plan(request(target({ dependents: [{ kubernetes: { namespace: NS, deployment: 'skillancer-web' } }] })), ctx()));
    expect(gone.message).toBe(
      'there is no deployment/skillancer-web in namespace production (context fake): fix dependents for api-secrets production in the catalog, Rewind would restart it after the rotation.',
    );
    const noService = await refusal(driver().plan(request(target({ dependents: [{ ecs: { cluster: 'distrocv-prod', service: 'worker' } }] })), ctx()));
    expect(noService.message).toMatch(/^ECS cluster distrocv-prod has no service worker \(MISSING\): fix dependents/);

    const versioned = await refusal(driver().plan({ ...request(target()), version: '41' }, ctx()));
    expect(versioned.message).toBe(
      'A secret rotation has no versions to pick: ask with `/rollback api-secrets production`. The value it replaces stays available as AWSPREVIOUS.',
    );

    const unknown = await refusal(driver().plan(request(target({ secretId: 'distrocv/nope' })), ctx()));
    expect(unknown.message).toBe(
      'Secrets Manager has no secret distrocv/nope. Fix secretId (its name or full ARN) or region for api-secrets production in the catalog.',
    );
  });

  it('checks the catalog entry: an approval rule of its own and one kind per dependent', () => {
    const missing = secretTarget.safeParse({ driver: 'secret', secretId: 'distrocv/api', rotation: 'lambda' });
    expect(missing.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      "approval: missing: a secret rotation needs its own approval rule (the runbooks' security incident row: CTO and Security), e.g. approval: { from: [cto, security], count: 2 }",
    ]);
    const both = secretTarget.safeParse({
      driver: 'secret',
      secretId: 'distrocv/api',
      rotation: 'rotate',
      dependents: [{ ecs: { cluster: 'c', service: 's' }, kubernetes: { namespace: 'p', deployment: 'd' } }],
      approval: { from: ['cto'] },
    });
    expect(both.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      "rotation: must be `lambda` (the secret's configured rotation function) or `{ generate: { keys: [password] } }` (new random values for those JSON keys)",
      'dependents.0: must name exactly one of ecs: { cluster, service } or kubernetes: { namespace, deployment }',
    ]);
  });
});
