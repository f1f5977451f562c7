import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StepFailed } from '../../src/drivers/errors.js';
import { createKubernetesDriver } from '../../src/drivers/kubernetes/driver.js';
import { kubeConfigFromEnvironment } from '../../src/drivers/kubernetes/kubeconfig.js';
import { driverFor, execute, planRequest, silentLog, target } from '../fakes/kubernetes/harness.js';
import { startFakeKube, type FakeKube } from '../fakes/kubernetes/server.js';

const ctx = () => ({ signal: new AbortController().signal, log: silentLog });

describe('kubernetes driver: history and kubeconfig', () => {
  let fake: FakeKube;
  beforeEach(async () => {
    fake = await startFakeKube({ tickMs: 10 });
    fake.addDeployment('production', 'skillancer-web', {
      revisions: [
        { images: 'reg.example.com/skillancer/web:1.0.0-rc.4', changeCause: 'CI deploy #101' },
        'reg.example.com/skillancer/web:1.0.0-rc.5',
        { images: ['reg.example.com/skillancer/web:1.0.0-rc.6', 'envoyproxy/envoy:v1.30.1'], changeCause: 'CI deploy #103' },
      ],
    });
    fake.addDeployment('production', 'skillancer-api', {
      revisions: ['reg.example.com/skillancer/api:1.0.0-rc.5', 'reg.example.com/skillancer/api:1.0.0-rc.6'],
    });
  });
  afterEach(() => fake.close());

  it('lists revisions like kubectl rollout history: per Deployment, newest first, images, change-cause, age', async () => {
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const entries = await driverFor(fake).history!(t, ctx());
    expect(entries.map(({ createdAt: _, ...e }) => e)).toEqual([
      { revision: '3', description: 'skillancer-web: web:1.0.0-rc.6, envoy:v1.30.1 (CI deploy #103)', current: true },
      { revision: '2', description: 'skillancer-web: web:1.0.0-rc.5', current: false },
      { revision: '1', description: 'skillancer-web: web:1.0.0-rc.4 (CI deploy #101)', current: false },
      { revision: '2', description: 'skillancer-api: api:1.0.0-rc.6', current: true },
      { revision: '1', description: 'skillancer-api: api:1.0.0-rc.5', current: false },
    ]);
    const created = entries.map((e) => Date.parse(e.createdAt ?? ''));
    expect(created.every((ms) => Number.isFinite(ms) && ms < Date.now())).toBe(true);
    expect(created[0]).toBeGreaterThan(created[2] as number);
  });

  it('shows the rolled-back revision as current with its next number after an undo', async () => {
    const t = target({ deployments: ['skillancer-web'] });
    const driver = driverFor(fake);
    await execute(driver, await driver.plan(planRequest(t), ctx()), t);
    const entries = await driver.history!(t, ctx());
    expect(entries.map((e) => `${e.revision}${e.current ? '*' : ''} ${e.description}`)).toEqual([
      '4* skillancer-web: web:1.0.0-rc.5',
      '3 skillancer-web: web:1.0.0-rc.6, envoy:v1.30.1 (CI deploy #103)',
      '1 skillancer-web: web:1.0.0-rc.4 (CI deploy #101)',
    ]);
  });

  it('kubeConfigFromEnvironment reads KUBECONFIG, switches to the target context and names unknown ones', async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = fake.kubeconfigPath;
    try {
      const kubeConfigFor = kubeConfigFromEnvironment();
      expect(kubeConfigFor(target({ deployments: ['skillancer-web'] })).getCurrentContext()).toBe('fake');
      expect(kubeConfigFor(target({ deployments: ['skillancer-web'], context: 'fake-other' })).getCurrentContext()).toBe('fake-other');
      expect(() => kubeConfigFor(target({ deployments: ['skillancer-web'], context: 'prod-eu' }))).toThrow(
        expect.objectContaining({
          name: 'UnknownKubeContext',
          message: 'the kubeconfig Rewind reads has no context "prod-eu" (it has: fake, fake-other)',
        }),
      );

      const driver = createKubernetesDriver({ kubeConfigFor });
      const plan = await driver.plan(planRequest(target({ deployments: ['skillancer-api'], context: 'fake-other' })), ctx());
      expect(plan.changes).toEqual(['skillancer-api: revision 2 (api:1.0.0-rc.6) → revision 1 (api:1.0.0-rc.5)']);
      expect(plan.fingerprint.startsWith('fake-other/production:')).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it('says Rewind was not let in when the credentials are wrong', async () => {
    const driver = createKubernetesDriver({
      kubeConfigFor: () => {
        const kc = new KubeConfig();
        kc.loadFromFile(fake.kubeconfigPath);
        Object.assign(kc.getCurrentUser() ?? {}, { token: 'wrong-token' });
        return kc;
      },
    });
    const error = await driver.plan(planRequest(target({ deployments: ['skillancer-api'] })), ctx()).catch((e: unknown) => e as StepFailed);
    expect(error).toBeInstanceOf(StepFailed);
    expect((error as StepFailed).name).toBe('Unauthorized');
    expect((error as StepFailed).message).toBe(
      "Kubernetes rejected Rewind's credentials (401) for get deployment skillancer-api in namespace production (context fake)",
    );
    expect((error as StepFailed).message).not.toContain('wrong-token');
  });
});
