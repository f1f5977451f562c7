import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { driverFor, planRequest, silentLog, target } from '../fakes/kubernetes/harness.js';
import { startFakeKube, type FakeKube } from '../fakes/kubernetes/server.js';
import { refusal } from '../support/rejections.js';

const ctx = () => ({ signal: new AbortController().signal, log: silentLog });
const WEB = ['reg.example.com/skillancer/web:1.0.0-rc.4', 'reg.example.com/skillancer/web:1.0.0-rc.5', 'reg.example.com/skillancer/web:1.0.0-rc.6'];
const API = ['reg.example.com/skillancer/api:1.0.0-rc.5', 'reg.example.com/skillancer/api:1.0.0-rc.6'];

describe('kubernetes driver: plan', () => {
  let fake: FakeKube;
  beforeEach(async () => {
    fake = await startFakeKube({ tickMs: 10 });
    fake.addDeployment('production', 'skillancer-web', { revisions: WEB });
    fake.addDeployment('production', 'skillancer-api', { revisions: API });
  });
  afterEach(() => fake.close());

  it('targets the previous revision of every Deployment, as kubectl rollout undo would', async () => {
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const plan = await driverFor(fake).plan(planRequest(t), ctx());
    expect(plan.changes).toEqual([
      'skillancer-web: revision 3 (web:1.0.0-rc.6) → revision 2 (web:1.0.0-rc.5)',
      'skillancer-api: revision 2 (api:1.0.0-rc.6) → revision 1 (api:1.0.0-rc.5)',
    ]);
    expect(plan.current).toBe('skillancer-web revision 3 (web:1.0.0-rc.6); skillancer-api revision 2 (api:1.0.0-rc.6)');
    expect(plan.target).toBe('skillancer-web revision 2 (web:1.0.0-rc.5); skillancer-api revision 1 (api:1.0.0-rc.5)');
    expect(plan.steps.map((s) => s.id)).toEqual(['rollout-undo', 'rollout-status']);
    expect(plan.steps[0]?.title).toContain('skillancer-web to revision 2 and skillancer-api to revision 1');
    expect(plan.fingerprint).toMatch(/^fake\/production:skillancer-web@3#\w+,skillancer-api@2#\w+$/);
    expect(plan.warnings).toBeUndefined();
  });

  it('`to <revision>` picks exactly that revision and warns that it skips the ones in between', async () => {
    const t = target({ deployments: ['skillancer-web'] });
    const plan = await driverFor(fake).plan(planRequest(t, '1'), ctx());
    expect(plan.changes).toEqual(['skillancer-web: revision 3 (web:1.0.0-rc.6) → revision 1 (web:1.0.0-rc.4)']);
    expect(plan.warnings).toEqual(['skillancer-web goes back past revision 2, not just one rollout.']);
  });

  it('`to <tag>` picks the newest revision running that image tag', async () => {
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const plan = await driverFor(fake).plan(planRequest(t, 'v1.0.0-rc.5'), ctx());
    expect(plan.changes).toEqual([
      'skillancer-web: revision 3 (web:1.0.0-rc.6) → revision 2 (web:1.0.0-rc.5)',
      'skillancer-api: revision 2 (api:1.0.0-rc.6) → revision 1 (api:1.0.0-rc.5)',
    ]);
  });

  it('refuses a revision that does not exist and lists the ones that do', async () => {
    const t = target({ deployments: ['skillancer-web'] });
    const error = await refusal(driverFor(fake).plan(planRequest(t, '7'), ctx()));
    expect(error.message).toBe('revision 7 not found for skillancer-web; it has revisions 3 (current), 2, 1');
    expect(error.choices).toEqual(['2', '1']);
  });

  it('refuses a revision missing from one of several Deployments, offering the revisions they share', async () => {
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const error = await refusal(driverFor(fake).plan(planRequest(t, '3'), ctx()));
    expect(error.message).toBe('revision 3 not found for skillancer-api; it has revisions 2 (current), 1');
    expect(error.choices).toEqual(['1']);
  });

  it('refuses a paused Deployment and says how to resume it', async () => {
    fake.setPaused('production', 'skillancer-api', true);
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const error = await refusal(driverFor(fake).plan(planRequest(t), ctx()));
    expect(error.message).toBe('skillancer-api is paused; resume it first: kubectl rollout resume deployment/skillancer-api -n production');
  });

  it('refuses a Deployment with no history', async () => {
    fake.addDeployment('production', 'skillancer-worker', { revisions: ['worker:1.0.0'] });
    const error = await refusal(driverFor(fake).plan(planRequest(target({ deployments: ['skillancer-worker'] })), ctx()));
    expect(error.message).toBe('no rollout history found for deployment skillancer-worker: revision 1 is its only revision');
  });

  it('reports a Deployment already at the target as skipped, and refuses when nothing is left to do', async () => {
    const none = await refusal(driverFor(fake).plan(planRequest(target({ deployments: ['skillancer-web'] }), '3'), ctx()));
    expect(none.message).toBe('Nothing to roll back in namespace production: skillancer-web: skipped rollback (current template already matches revision 3)');

    // web is redeployed with rc.5: its rc.5 ReplicaSet is reused and becomes revision 4.
    fake.setImage('production', 'skillancer-web', WEB[1] as string);
    await until(() => fake.deployment('production', 'skillancer-web')?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '4');
    const both = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const mixed = await driverFor(fake).plan(planRequest(both, 'v1.0.0-rc.5'), ctx());
    expect(mixed.changes).toEqual([
      'skillancer-web: skipped rollback (current template already matches revision 4)',
      'skillancer-api: revision 2 (api:1.0.0-rc.6) → revision 1 (api:1.0.0-rc.5)',
    ]);
    expect(mixed.steps[0]?.title).toBe('Roll back skillancer-api to revision 1 in production (kubectl rollout undo)');
  });

  it('ignores ReplicaSets the Deployment does not own, even when its selector matches them', async () => {
    fake.addStrayReplicaSet('production', 'skillancer-web-stray', {
      labels: { app: 'skillancer', 'app.kubernetes.io/name': 'skillancer-web' },
      revision: 9,
      image: 'web:stray',
    });
    const plan = await driverFor(fake).plan(planRequest(target({ deployments: ['skillancer-web'] })), ctx());
    expect(plan.changes).toEqual(['skillancer-web: revision 3 (web:1.0.0-rc.6) → revision 2 (web:1.0.0-rc.5)']);
  });

  it('drift() names a Deployment someone redeployed after the plan, and stays quiet otherwise', async () => {
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());
    expect(await driver.drift(plan, t, ctx())).toBeUndefined();
    fake.setImage('production', 'skillancer-api', 'reg.example.com/skillancer/api:1.0.0-rc.7');
    await until(() => fake.deployment('production', 'skillancer-api')?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3');
    expect(await driver.drift(plan, t, ctx())).toBe('skillancer-api now runs revision 3 (api:1.0.0-rc.7), not the planned revision 2 (api:1.0.0-rc.6).');
  });

  it('names the namespace and context when a Deployment does not exist', async () => {
    const error = await driverFor(fake)
      .plan(planRequest(target({ deployments: ['skillancer-nope'] })), ctx())
      .then(
        () => undefined,
        (e: unknown) => e as Error & { hint: string },
      );
    expect(error?.name).toBe('NotFound');
    expect(error?.message).toBe(
      'Kubernetes found nothing for get deployment skillancer-nope in namespace production (context fake) (404): deployments.apps "skillancer-nope" not found',
    );
    expect(error?.hint).toContain('catalog');
  });

  it('refuses the plan when Rewind may read the Deployments but not patch them, naming the RBAC fix', async () => {
    fake.setAllowedVerbs('deployments', ['get', 'list', 'watch']);
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const error = await refusal(driverFor(fake).plan(planRequest(t), ctx()));
    expect(error.message).toContain('may read but not patch deployments.apps in namespace production (context fake)');
    expect(error.message).toContain('cannot roll back skillancer-web and skillancer-api');
    expect(error.message).toContain('Grant it the verb "patch" on deployments (apiGroups: ["apps"]) in namespace production');
    const review = fake.calls.find((c) => c.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(review?.body).toMatchObject({ spec: { resourceAttributes: { namespace: 'production', verb: 'patch', resource: 'deployments', group: 'apps' } } });
    expect(fake.calls.filter((c) => c.method === 'PATCH')).toHaveLength(0);

    fake.setAllowedVerbs('deployments', undefined);
    const plan = await driverFor(fake).plan(planRequest(t), ctx());
    expect(plan.steps.map((s) => s.id)).toEqual(['rollout-undo', 'rollout-status']);
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}
