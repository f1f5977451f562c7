import { Writable } from 'node:stream';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyText } from '../../jobs/versions.js';
import type { Plan } from '../../src/domain/rollback.js';
import { createDatabaseDriver } from '../../src/drivers/database/driver.js';
import { parseDbRequest } from '../../src/drivers/database/grammar.js';
import { databaseDriver } from '../../src/drivers/database/index.js';
import { listSnapshots } from '../../src/drivers/database/rds.js';
import { databaseTarget, type DatabaseTarget } from '../../src/drivers/database/target.js';
import { lazyKubeApis, type RestartClients } from '../../src/drivers/shared/restart/restart.js';
import { startFakeEcs, type FakeEcs } from '../fakes/aws/ecs.js';
import { startFakeRds, type FakeRds } from '../fakes/aws/rds.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../fakes/aws/secrets-manager.js';
import { stepContext } from '../fakes/aws/steps.js';
import { notificationFor } from '../support/notification.js';
import { fakeKubeConfigFor } from '../fakes/kubernetes/harness.js';
import { startFakeKube } from '../fakes/kubernetes/server.js';
import { asExecutor } from '../support/driver.js';
import { refusal, stepFailure } from '../support/rejections.js';

const PASSWORD = 'pw-Zx81!never-logged';
const SECRET = JSON.stringify({
  engine: 'postgres',
  host: 'distrocv-prod.c9akciq32.us-east-1.rds.amazonaws.com',
  port: 5432,
  username: 'distrocv',
  password: PASSWORD,
  dbname: 'distrocv',
});
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 3 };

let rds: FakeRds;
let secrets: FakeSecretsManager;
let ecs: FakeEcs;
let clients: { rds: RDSClient; secrets: SecretsManagerClient; ecs: ECSClient };
let logged: string;
const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => ((logged += String(chunk)), done()) }));

beforeEach(async () => {
  [rds, secrets, ecs] = await Promise.all([startFakeRds(), startFakeSecretsManager(), startFakeEcs({ tickMs: 10 })]);
  clients = {
    rds: new RDSClient({ ...aws, endpoint: rds.url }),
    secrets: new SecretsManagerClient({ ...aws, endpoint: secrets.url }),
    ecs: new ECSClient({ ...aws, endpoint: ecs.url }),
  };
  logged = '';
  rds.addInstance('distrocv-prod');
  secrets.createSecret('distrocv/database', SECRET);
  ecs.registerTaskDefinition('distrocv-api', [{ name: 'api', image: 'distrocv-api:v2.0.1' }]);
  ecs.createService('distrocv-prod', 'api', 'distrocv-api:1', 2);
});

afterEach(async () => {
  Object.values(clients).forEach((c) => c.destroy());
  await Promise.all([rds.close(), secrets.close(), ecs.close()]);
});

const noKube = () => Promise.reject(new Error('this test has no Kubernetes API'));

const driver = (kube: RestartClients['kube'] = noKube) =>
  asExecutor(
    databaseDriver,
    createDatabaseDriver({
      rds: () => clients.rds,
      secrets: () => clients.secrets,
      restart: { ecs: () => clients.ecs, kube },
      rpo: 5 * 60_000,
      minPollSec: 0.01,
    }),
  );

function target(overrides: Record<string, unknown> = {}): DatabaseTarget {
  return databaseTarget.parse({
    driver: 'database',
    instance: 'distrocv-prod',
    secret: { id: 'distrocv/database' },
    dependents: [{ cluster: 'distrocv-prod', service: 'api' }],
    approval: { from: ['cto'] },
    pollInterval: '10ms',
    availableTimeout: '10s',
    stableTimeout: '10s',
    ...overrides,
  });
}

function options(...tokens: string[]): Record<string, string> {
  const parsed = parseDbRequest(tokens, new Date());
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

const ctx = () => ({ signal: new AbortController().signal, log });

function stepCtx(plan: Plan, stepId: string, t: DatabaseTarget, rollbackId = 'RB-42') {
  return stepContext(plan, stepId, t, { ...ctx(), rollbackId });
}

async function runAll(plan: Plan, t: DatabaseTarget) {
  const outputs: Record<string, unknown>[] = [];
  const progress: string[] = [];
  for (const step of plan.steps) {
    const run = stepCtx(plan, step.id, t);
    outputs.push((await driver().runStep(run.context)) ?? {});
    progress.push(...run.progress);
  }
  return { outputs, progress };
}

describe('database driver: point-in-time restore', () => {
  it('restores to a new instance, repoints the secret keeping its other fields, and redeploys the ECS dependents', async () => {
    const t = target();
    const plan = await driver().plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());

    expect(plan.steps.map((s) => s.id)).toEqual(['restore', 'wait-available', 'update-secret', 'redeploy-1']);
    expect(plan.target).toMatch(/^distrocv-prod-rb-42 @ /);
    // The notification says what the restore did, not the instance as it was.
    expect(notificationFor(plan, 'db')).toMatch(
      /Subject: \[ROLLBACK\] DistroCV distrocv-prod restored to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC as distrocv-prod-rb-42 - completed/,
    );
    expect(plan.warnings?.[0]).toMatch(/old instance distrocv-prod is kept, not deleted/);
    expect(plan.warnings?.some((w) => /exceeds the 5m 00s RPO/.test(w))).toBe(true);
    expect(plan.changes.join('\n')).toMatch(/Data-loss window: writes after .* \(15m 0\ds so far/);

    const { outputs, progress } = await runAll(plan, t);

    const restored = rds.instances.get('distrocv-prod-rb-42')!;
    expect(restored.status).toBe('available');
    expect(restored.restoredFrom).toEqual({ instance: 'distrocv-prod', time: plan.data.restoreTime });
    expect(restored.tags).toEqual({ 'rewind:rollback': 'RB-42', 'rewind:source': 'distrocv-prod' });
    // Same class, Multi-AZ, network and parameters as the source, not RDS's defaults.
    expect(restored).toMatchObject({
      instanceClass: 'db.r6g.large',
      multiAz: true,
      subnetGroup: 'distrocv-db-private',
      securityGroups: ['sg-0db0001'],
      parameterGroup: 'distrocv-postgres15',
    });
    expect(rds.instances.get('distrocv-prod')!.status).toBe('available');

    const secret = JSON.parse(secrets.current('distrocv/database')!);
    expect(secret).toEqual({ ...JSON.parse(SECRET), host: restored.address });
    expect(outputs[2]).toMatchObject({ secretId: 'distrocv/database', field: 'host', host: restored.address, changed: true });

    expect(ecs.callsTo('UpdateService')).toHaveLength(1);
    expect(ecs.callsTo('UpdateService')[0]!.input).toMatchObject({ cluster: 'distrocv-prod', service: 'api', forceNewDeployment: true });
    const service = ecs.service('distrocv-prod', 'api');
    expect(service.deployments).toHaveLength(1);
    expect(outputs[3]).toMatchObject({ service: 'distrocv-prod/api', deploymentId: service.deployments[0].id, runningCount: 2, desiredCount: 2 });

    // The secret's other values never reach outputs, progress lines or logs.
    const visible = JSON.stringify({ outputs, progress, plan }) + logged;
    expect(visible).not.toContain(PASSWORD);
    expect(visible).not.toContain('distrocv-prod.c9akciq32');
  });

  it('refuses a time outside the restorable window and says what the window is', async () => {
    rds.instances.get('distrocv-prod')!.retentionDays = 7;
    const tooOld = await refusal(
      driver().plan({ rollbackId: 'RB-1', service: 'db', environment: 'production', target: target(), options: options('at', '-10d') }, ctx()),
    );
    expect(tooOld.message).toMatch(
      /is outside the restorable window of distrocv-prod: .* UTC → .* UTC \(latest restorable time; backups kept 7 days\); it is older than the backups RDS keeps/,
    );
    expect(tooOld.choices).toHaveLength(3);
    expect(tooOld.choices[0]).toMatch(/^at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);

    const tooRecent = await refusal(
      driver().plan({ rollbackId: 'RB-1', service: 'db', environment: 'production', target: target(), options: options('at', '-30s') }, ctx()),
    );
    expect(tooRecent.message).toMatch(/RDS can only restore up to its latest restorable time/);

    // A time from the refusal's choices plans fine.
    const chosen = tooOld.choices[0]!.split(' ');
    await expect(
      driver().plan({ rollbackId: 'RB-1', service: 'db', environment: 'production', target: target(), options: options(...chosen) }, ctx()),
    ).resolves.toMatchObject({ driver: 'database' });
    expect(rds.callsTo('RestoreDBInstanceToPointInTime')).toHaveLength(0);
  });

  it('offers only times inside the window of a young instance, each of which plans', async () => {
    // Created four minutes ago; RDS can restore up to two minutes ago: a two-minute window.
    const instance = rds.instances.get('distrocv-prod')!;
    instance.createdAt = new Date(Date.now() - 4 * 60_000);
    const refused = await refusal(
      driver().plan({ rollbackId: 'RB-1', service: 'db', environment: 'production', target: target(), options: options('at', '-1h') }, ctx()),
    );
    expect(refused.message).toMatch(/is outside the restorable window of distrocv-prod: .* UTC → .* UTC/);
    expect(refused.choices.length).toBeGreaterThan(0);
    for (const choice of refused.choices) {
      const at = Date.parse(choice.replace(/^at /, ''));
      expect(at).toBeGreaterThanOrEqual(instance.createdAt.getTime());
      expect(at).toBeLessThanOrEqual(instance.latestRestorableTime!.getTime());
      await expect(
        driver().plan({ rollbackId: 'RB-1', service: 'db', environment: 'production', target: target(), options: options(...choice.split(' ')) }, ctx()),
      ).resolves.toMatchObject({ driver: 'database' });
    }
  });

  it('refuses point-in-time restore when automated backups are off, offering snapshots', async () => {
    rds.instances.get('distrocv-prod')!.retentionDays = 0;
    rds.addSnapshot('distrocv-prod-2026-01-21', 'distrocv-prod', new Date(Date.now() - 86_400_000));
    const refused = await refusal(
      driver().plan({ rollbackId: 'RB-1', service: 'db', environment: 'production', target: target(), options: options('at', '-15m') }, ctx()),
    );
    expect(refused.message).toMatch(/automated backups are off \(backup retention 0 days\)/);
    expect(refused.choices).toEqual(['snapshot distrocv-prod-2026-01-21']);
  });

  it('adopts a restore already in progress after a crash instead of restoring twice', async () => {
    const t = target();
    const plan = await driver().plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());
    // The worker died right after RestoreDBInstanceToPointInTime: the instance exists, still creating.
    rds.addInstance('distrocv-prod-rb-42', { status: 'creating', describesUntilAvailable: 3, tags: { 'rewind:rollback': 'RB-42' } });

    const restore = stepCtx(plan, 'restore', t);
    await expect(driver().runStep(restore.context)).resolves.toMatchObject({ instance: 'distrocv-prod-rb-42', adopted: true });
    expect(restore.progress.join('\n')).toMatch(/restore from an earlier attempt adopted/);
    expect(rds.callsTo('RestoreDBInstanceToPointInTime')).toHaveLength(0);

    const wait = stepCtx(plan, 'wait-available', t);
    await expect(driver().runStep(wait.context)).resolves.toMatchObject({ endpoint: rds.instances.get('distrocv-prod-rb-42')!.address });
    expect(wait.progress[0]).toMatch(/^distrocv-prod-rb-42: creating/);
    expect(wait.progress.at(-1)).toMatch(/^distrocv-prod-rb-42: available/);
  });

  it('adopts the instance when a parallel attempt wins the race (DBInstanceAlreadyExists)', async () => {
    const t = target();
    const plan = await driver().plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());
    rds.before('RestoreDBInstanceToPointInTime', () => rds.addInstance('distrocv-prod-rb-42', { status: 'creating', tags: { 'rewind:rollback': 'RB-42' } }));
    const pending = driver().runStep(stepCtx(plan, 'restore', t).context);
    await expect(pending).resolves.toMatchObject({ adopted: true });
    expect(rds.callsTo('RestoreDBInstanceToPointInTime')).toHaveLength(1);
    expect(rds.instances.get('distrocv-prod-rb-42')!.restoredFrom).toBeUndefined();
  });

  it('never takes over an instance with the planned name that another rollback or a person created', async () => {
    const t = target();
    const plan = await driver().plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());
    rds.addInstance('distrocv-prod-rb-42', { tags: {} });
    const error = await stepFailure(driver().runStep(stepCtx(plan, 'restore', t).context));
    expect(error.code).toBe('TargetInstanceTaken');
    expect(error.message).toMatch(/already exists but was not restored by RB-42/);
    expect(rds.callsTo('RestoreDBInstanceToPointInTime')).toHaveLength(0);
    await expect(driver().drift(plan, t, ctx())).resolves.toMatch(/appeared since planning/);
  });

  it('waits for its own earlier deployment after a crash instead of forcing a second one', async () => {
    const t = target();
    const plan = await driver().plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());
    const first = stepCtx(plan, 'redeploy-1', t);
    await driver().runStep(first.context);
    const deploymentId = ecs.service('distrocv-prod', 'api').deployments[0].id;
    expect(first.checkpoints).toEqual([{ deployment: { id: deploymentId, createdAt: expect.any(Number) } }]);

    // The worker died after UpdateService: the repeat gets the checkpoint and a later first-start time.
    const repeat = stepContext(plan, 'redeploy-1', t, { ...ctx(), rollbackId: 'RB-42', journal: first.journal });
    await expect(driver().runStep(repeat.context)).resolves.toMatchObject({ deploymentId });
    expect(ecs.callsTo('UpdateService')).toHaveLength(1);

    // A deployment from before this step started may predate the secret change: not adopted.
    const fresh = stepCtx(plan, 'redeploy-1', t);
    await driver().runStep(fresh.context);
    expect(ecs.callsTo('UpdateService')).toHaveLength(2);
  });

  it('stops waiting with a clear failure when the restore dead-ends', async () => {
    const t = target();
    const plan = await driver().plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());
    rds.addInstance('distrocv-prod-rb-42', { status: 'incompatible-network', tags: { 'rewind:rollback': 'RB-42' } });
    const error = await stepFailure(driver().runStep(stepCtx(plan, 'wait-available', t).context));
    expect(error.code).toBe('RestoreFailed');
    expect(error.message).toMatch(/it is incompatible-network\. The app still uses distrocv-prod/);
    expect(error.hint).toMatch(/aws rds describe-events --source-type db-instance --source-identifier distrocv-prod-rb-42/);
  });
});

describe('database driver: Kubernetes dependents', () => {
  it('restarts a Deployment that reads the secret (kubectl rollout restart) next to an ECS service, once', async () => {
    const kube = await startFakeKube({ tickMs: 10 });
    try {
      kube.addDeployment('production', 'distrocv-worker', { revisions: ['distrocv-worker:1.4.0'], replicas: 2 });
      const t = target({
        dependents: [{ cluster: 'distrocv-prod', service: 'api' }, { kubernetes: { namespace: 'production', deployment: 'distrocv-worker' } }],
      });
      const db = driver(lazyKubeApis(async () => fakeKubeConfigFor(kube)));
      const plan = await db.plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());
      expect(plan.steps.map((s) => s.id)).toEqual(['restore', 'wait-available', 'update-secret', 'redeploy-1', 'redeploy-2']);
      expect(plan.steps[4]!.title).toMatch(/^Restart deployment\/distrocv-worker in production \(kubectl rollout restart\)/);
      expect(plan.changes.at(-1)).toBe('restart: ECS distrocv-prod/api, deployment/distrocv-worker in production');

      for (const step of plan.steps.slice(0, 4)) await db.runStep(stepCtx(plan, step.id, t).context);
      // The worker dies after the patch, before its checkpoint is saved: the repeat adopts that restart.
      const crashed = stepContext(plan, 'redeploy-2', t, { ...ctx(), rollbackId: 'RB-42', save: () => Promise.reject(new Error('worker killed')) });
      await expect(db.runStep(crashed.context)).rejects.toThrow('worker killed');
      const again = stepContext(plan, 'redeploy-2', t, { ...ctx(), rollbackId: 'RB-42', firstStartedAt: crashed.context.firstStartedAt });
      await expect(db.runStep(again.context)).resolves.toMatchObject({ status: 'deployment "distrocv-worker" successfully rolled out' });

      expect(kube.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
      expect(kube.deployment('production', 'distrocv-worker')?.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toEqual(
        expect.any(String),
      );
      expect(kube.replicaSets('production', 'distrocv-worker')).toHaveLength(2);
      expect(ecs.callsTo('UpdateService')).toHaveLength(1);
    } finally {
      await kube.close();
    }
  });

  it('refuses to plan when a Deployment dependent does not exist', async () => {
    const kube = await startFakeKube({ tickMs: 10 });
    try {
      const t = target({ dependents: [{ kubernetes: { namespace: 'production', deployment: 'distrocv-worker' } }] });
      const refused = await refusal(
        driver(lazyKubeApis(async () => fakeKubeConfigFor(kube))).plan(
          { rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') },
          ctx(),
        ),
      );
      expect(refused.message).toBe(
        'there is no deployment/distrocv-worker in namespace production (context fake): fix dependents for distrocv-prod in the catalog, Rewind would restart it after the restore.',
      );
    } finally {
      await kube.close();
    }
  });

  it('still runs a plan stored before Kubernetes dependents existed (`{ cluster, service }`)', async () => {
    const t = target();
    const plan = await driver().plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());
    const stored = { ...plan, data: { ...plan.data, dependents: [{ cluster: 'distrocv-prod', service: 'api' }] } };
    await expect(driver().runStep(stepCtx(stored, 'redeploy-1', t).context)).resolves.toMatchObject({ service: 'distrocv-prod/api', runningCount: 2 });
  });
});

describe('database driver: the secret', () => {
  async function planAndRestore(t: DatabaseTarget) {
    const plan = await driver().plan({ rollbackId: 'RB-42', service: 'db', environment: 'production', target: t, options: options('at', '-15m') }, ctx());
    await driver().runStep(stepCtx(plan, 'restore', t).context);
    await driver().runStep(stepCtx(plan, 'wait-available', t).context);
    return plan;
  }

  it('replaces only the host inside a connection URL field and is a no-op when repeated', async () => {
    const url = `postgresql://distrocv:${encodeURIComponent(PASSWORD)}@old-host.example:5432/distrocv?sslmode=require`;
    secrets.createSecret('skillancer/db', JSON.stringify({ DATABASE_URL: url, REDIS_URL: 'redis://cache:6379' }));
    const t = target({ secret: { id: 'skillancer/db', hostField: 'DATABASE_URL' }, dependents: [] });
    const plan = await planAndRestore(t);

    const first = await driver().runStep(stepCtx(plan, 'update-secret', t).context);
    const address = rds.instances.get('distrocv-prod-rb-42')!.address;
    expect(JSON.parse(secrets.current('skillancer/db')!)).toEqual({
      DATABASE_URL: `postgresql://distrocv:${encodeURIComponent(PASSWORD)}@${address}:5432/distrocv?sslmode=require`,
      REDIS_URL: 'redis://cache:6379',
    });
    expect(first).toMatchObject({ changed: true });

    const again = await driver().runStep(stepCtx(plan, 'update-secret', t).context);
    expect(again).toMatchObject({ changed: false });
    expect(secrets.callsTo('PutSecretValue')).toHaveLength(1);
    expect(secrets.versionIds('skillancer/db')).toHaveLength(2);
    expect(JSON.stringify([first, again]) + logged).not.toContain(PASSWORD);
  });

  it('refuses a secret that is not JSON without quoting it', async () => {
    secrets.createSecret('plain', `host=old password=${PASSWORD}`);
    const t = target({ secret: { id: 'plain' }, dependents: [] });
    const plan = await planAndRestore(t);
    const error = await stepFailure(driver().runStep(stepCtx(plan, 'update-secret', t).context));
    expect(error.code).toBe('SecretNotJson');
    expect(`${error.message} ${error.hint}`).not.toContain(PASSWORD);
    expect(secrets.callsTo('PutSecretValue')).toHaveLength(0);
  });

  it('names the fields (never the values) when the host field is missing', async () => {
    const t = target({ secret: { id: 'distrocv/database', hostField: 'hostname' }, dependents: [] });
    const plan = await planAndRestore(t);
    const error = await stepFailure(driver().runStep(stepCtx(plan, 'update-secret', t).context));
    expect(error.message).toBe('Secret distrocv/database has no text field "hostname" (its fields: engine, host, port, username, password, dbname).');
  });
});

describe('database driver: snapshots', () => {
  beforeEach(() => {
    const day = 86_400_000;
    rds.addSnapshot('rds:distrocv-prod-2026-01-20-03-00', 'distrocv-prod', new Date(Date.now() - 2 * day), { type: 'automated' });
    rds.addSnapshot('distrocv-prod-before-launch', 'distrocv-prod', new Date(Date.now() - day));
    rds.addSnapshot('other-db-snap', 'other-db', new Date(Date.now() - day));
  });

  it('lists the instance snapshots newest first, with the command to restore each', async () => {
    const t = target();
    const list = await listSnapshots(clients.rds, t.instance);
    expect(list.map((s) => s.id)).toEqual(['distrocv-prod-before-launch', 'rds:distrocv-prod-2026-01-20-03-00']);

    // `snapshots` and `/rollback history` answer with the driver's history in the generic reply: each restorable snapshot with its command.
    rds.addSnapshot('distrocv-prod-in-progress', 'distrocv-prod', new Date(), { status: 'creating' });
    const history = await driver().history!(t, ctx());
    expect(history.map((e) => e.revision)).toEqual(['distrocv-prod-in-progress', 'distrocv-prod-before-launch', 'rds:distrocv-prod-2026-01-20-03-00']);
    const text = historyText('db', 'production', history, new Date()).split('\n');
    expect(text[0]).toBe('*History of db production* (newest first)');
    expect(text[1]).toMatch(/^• `distrocv-prod-in-progress` manual, taken .* UTC \(creating, not restorable yet\) · 0h ago$/);
    expect(text[2]).toMatch(
      /^• `distrocv-prod-before-launch` manual, taken .* UTC · 24h ago → `\/rollback db production snapshot distrocv-prod-before-launch`$/,
    );
    expect(text[3]).toMatch(
      /^• `rds:distrocv-prod-2026-01-20-03-00` automated, taken .* → `\/rollback db production snapshot rds:distrocv-prod-2026-01-20-03-00`$/,
    );

    const refused = await refusal(
      driver().plan({ rollbackId: 'RB-5', service: 'db', environment: 'production', target: t, options: options('snapshots') }, ctx()),
    );
    expect(refused.choices).toEqual(['snapshot distrocv-prod-before-launch', 'snapshot rds:distrocv-prod-2026-01-20-03-00']);
  });

  it('restores a snapshot, then the same secret and redeploy steps', async () => {
    const t = target();
    const plan = await driver().plan(
      { rollbackId: 'RB-7', service: 'db', environment: 'production', target: t, options: options('snapshot', 'distrocv-prod-before-launch') },
      ctx(),
    );
    expect(plan.target).toBe('distrocv-prod-rb-7 from snapshot distrocv-prod-before-launch');
    expect(notificationFor(plan, 'db')).toContain('- Version: snapshot distrocv-prod-before-launch of distrocv-prod restored as distrocv-prod-rb-7');
    expect(plan.changes.join('\n')).toMatch(/Data-loss window: writes after .* \(24h 00m so far/);
    for (const step of plan.steps) await driver().runStep(stepCtx(plan, step.id, t, 'RB-7').context);

    expect(rds.callsTo('RestoreDBInstanceFromDBSnapshot')[0]!.input).toMatchObject({
      DBSnapshotIdentifier: 'distrocv-prod-before-launch',
      DBInstanceIdentifier: 'distrocv-prod-rb-7',
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: 'true',
    });
    expect(JSON.parse(secrets.current('distrocv/database')!).host).toBe(rds.instances.get('distrocv-prod-rb-7')!.address);
    expect(ecs.callsTo('UpdateService')).toHaveLength(1);
  });

  it("refuses an unknown snapshot or another instance's snapshot, listing the right ones", async () => {
    const unknown = await refusal(
      driver().plan({ rollbackId: 'RB-5', service: 'db', environment: 'production', target: target(), options: options('snapshot', 'nope') }, ctx()),
    );
    expect(unknown.message).toBe("There is no RDS snapshot nope. Pick one of distrocv-prod's snapshots:");
    expect(unknown.choices).toHaveLength(2);
    const foreign = await refusal(
      driver().plan({ rollbackId: 'RB-5', service: 'db', environment: 'production', target: target(), options: options('snapshot', 'other-db-snap') }, ctx()),
    );
    expect(foreign.message).toMatch(/^Snapshot other-db-snap is of other-db, not distrocv-prod/);
  });

  it('reports drift when the approved snapshot disappears before execution', async () => {
    const t = target();
    const plan = await driver().plan(
      { rollbackId: 'RB-5', service: 'db', environment: 'production', target: t, options: options('snapshot', 'distrocv-prod-before-launch') },
      ctx(),
    );
    await expect(driver().drift(plan, t, ctx())).resolves.toBeUndefined();
    rds.snapshots.delete('distrocv-prod-before-launch');
    await expect(driver().drift(plan, t, ctx())).resolves.toBe('Snapshot distrocv-prod-before-launch is gone since planning.');
  });
});
