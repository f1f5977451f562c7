import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { driverFor, execute, planRequest, silentLog, stepContext, target } from '../fakes/kubernetes/harness.js';
import { startFakeKube, type FakeKube } from '../fakes/kubernetes/server.js';
import { stepFailure } from '../support/rejections.js';

const ctx = () => ({ signal: new AbortController().signal, log: silentLog });
const NS = 'production';
const web = (tag: string) => `reg.example.com/skillancer/web:${tag}`;
const api = (tag: string) => `reg.example.com/skillancer/api:${tag}`;

describe('kubernetes driver: rollout undo + status', () => {
  let fake: FakeKube;
  const running = (name: string) => fake.deployment(NS, name)?.spec.template.spec.containers.map((c: { image: string }) => c.image);
  const revision = (name: string) => fake.deployment(NS, name)?.metadata.annotations?.['deployment.kubernetes.io/revision'];
  const revisions = (name: string) =>
    fake.replicaSets(NS, name).map((rs) => `${rs.metadata.annotations?.['deployment.kubernetes.io/revision']}:${rs.spec.template.spec.containers[0].image}`);
  const patches = () => fake.calls.filter((c) => c.method === 'PATCH');

  beforeEach(async () => {
    fake = await startFakeKube({ tickMs: 10 });
  });
  afterEach(() => fake.close());

  it('rolls two Deployments back in parallel with kubectl’s JSON patch, and waits for both', async () => {
    fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), { images: web('1.0.0-rc.6'), changeCause: 'deploy rc.6' }] });
    fake.addDeployment(NS, 'skillancer-api', { revisions: [{ images: api('1.0.0-rc.5'), changeCause: 'deploy api rc.5' }, api('1.0.0-rc.6')] });
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());

    const { outputs, progress } = await execute(driver, plan, t);

    expect(outputs['rollout-undo']).toEqual({
      deployments: { 'skillancer-web': 'rolled back to revision 1 (web:1.0.0-rc.5)', 'skillancer-api': 'rolled back to revision 1 (api:1.0.0-rc.5)' },
    });
    expect(outputs['rollout-status']).toEqual({
      deployments: {
        'skillancer-web': 'deployment "skillancer-web" successfully rolled out',
        'skillancer-api': 'deployment "skillancer-api" successfully rolled out',
      },
      // kubectl's numbering after the undo: revision 1's template is now revision 3.
      liveTarget: 'skillancer-web revision 3 (web:1.0.0-rc.5); skillancer-api revision 3 (api:1.0.0-rc.5)',
    });
    expect(running('skillancer-web')).toEqual([web('1.0.0-rc.5')]);
    expect(running('skillancer-api')).toEqual([api('1.0.0-rc.5')]);
    expect(revision('skillancer-web')).toBe('3');
    expect(fake.deployment(NS, 'skillancer-web')?.status).toMatchObject({ updatedReplicas: 3, availableReplicas: 3, replicas: 3 });

    // The patch kubectl's rollback helper sends: template without pod-template-hash, annotations per annotationsToSkip.
    const [webPatch] = patches().filter((c) => c.path.endsWith('/skillancer-web'));
    expect(webPatch?.contentType).toBe('application/json-patch+json');
    const ops = webPatch?.body as { op: string; path: string; value: { metadata: { labels: Record<string, string> } } & Record<string, unknown> }[];
    expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual(['replace /spec/template', 'replace /metadata/annotations']);
    expect(ops[0]?.value.metadata.labels).toEqual({ app: 'skillancer', 'app.kubernetes.io/name': 'skillancer-web' });
    expect(ops[1]?.value).toEqual({ 'deployment.kubernetes.io/revision': '2' });
    // The target ReplicaSet's change-cause comes back with it.
    expect(fake.deployment(NS, 'skillancer-api')?.metadata.annotations?.['kubernetes.io/change-cause']).toBe('deploy api rc.5');

    expect(progress.every((line) => /^skillancer-(web|api): \d\/3 updated, \d\/3 available/.test(line) || line.includes('waiting for the controller'))).toBe(
      true,
    );
    expect(new Set(progress).size).toBe(progress.length);
  });

  it('plan and execution agree with four revisions, after an earlier undo, and with `to <revision>`', async () => {
    fake.addDeployment(NS, 'skillancer-web', { revisions: ['rc.3', 'rc.4', 'rc.5', 'rc.6'].map((tag) => web(`1.0.0-${tag}`)) });
    const t = target({ deployments: ['skillancer-web'] });
    const driver = driverFor(fake);
    const roll = async (version?: string) => {
      const plan = await driver.plan(planRequest(t, version), ctx());
      await execute(driver, plan, t);
      return plan;
    };

    const first = await roll();
    expect(first.changes).toEqual(['skillancer-web: revision 4 (web:1.0.0-rc.6) → revision 3 (web:1.0.0-rc.5)']);
    expect(running('skillancer-web')).toEqual([web('1.0.0-rc.5')]);
    expect(revisions('skillancer-web')).toEqual([`5:${web('1.0.0-rc.5')}`, `4:${web('1.0.0-rc.6')}`, `2:${web('1.0.0-rc.4')}`, `1:${web('1.0.0-rc.3')}`]);

    // Undo after undo goes back to what was running before, like kubectl (revision 4, not 2).
    expect(first.warnings ?? []).toEqual([]);
    const second = await roll();
    expect(second.changes).toEqual(['skillancer-web: revision 5 (web:1.0.0-rc.5) → revision 4 (web:1.0.0-rc.6)']);
    // rc.5's template was first deployed as revision 3, before rc.6: undoing the undo moves forward, and the card says so.
    expect(second.warnings).toEqual([
      'skillancer-web: revision 4 (web:1.0.0-rc.6) was first deployed after the live template (first revision 3): this moves skillancer-web forward, not back ' +
        '(was it already rolled back?). Reject it and ask with `to <revision>` unless that is intended.',
    ]);
    expect(running('skillancer-web')).toEqual([web('1.0.0-rc.6')]);
    expect(revision('skillancer-web')).toBe('6');

    const third = await roll('2');
    expect(third.changes).toEqual(['skillancer-web: revision 6 (web:1.0.0-rc.6) → revision 2 (web:1.0.0-rc.4)']);
    expect(third.warnings?.some((w) => w.includes('forward'))).toBe(false);
    expect(running('skillancer-web')).toEqual([web('1.0.0-rc.4')]);
    expect(revisions('skillancer-web')).toEqual([`7:${web('1.0.0-rc.4')}`, `6:${web('1.0.0-rc.6')}`, `5:${web('1.0.0-rc.5')}`, `1:${web('1.0.0-rc.3')}`]);
  });

  it('repeating the undo step after a crash changes nothing and makes no new revision', async () => {
    fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')] });
    const t = target({ deployments: ['skillancer-web'] });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());

    await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);
    while (revision('skillancer-web') !== '3') await new Promise((r) => setTimeout(r, 5));
    const after = revisions('skillancer-web');

    // The worker died here; the executor re-checks drift and repeats the unfinished step.
    expect(await driver.drift(plan, t, ctx())).toBeUndefined();
    const again = await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);
    expect(again).toEqual({ deployments: { 'skillancer-web': 'already runs revision 1 (web:1.0.0-rc.5); not patched again' } });
    expect(patches()).toHaveLength(1);
    await driver.runStep(stepContext(plan, 'rollout-status', t).ctx);
    expect(revisions('skillancer-web')).toEqual(after);
    expect(revision('skillancer-web')).toBe('3');
  });

  it('a retry after one Deployment failed patches only the one left', async () => {
    fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')] });
    fake.addDeployment(NS, 'skillancer-api', { revisions: [api('1.0.0-rc.5'), api('1.0.0-rc.6')] });
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());
    fake.setPaused(NS, 'skillancer-api', true);

    const error = await stepFailure(driver.runStep(stepContext(plan, 'rollout-undo', t).ctx) as Promise<unknown>);
    expect(error.name).toBe('DeploymentPaused');
    expect(error.message).toBe(
      'skillancer-api failed to roll back: skillancer-api was paused after the plan was made, and a paused Deployment cannot be rolled back. Meanwhile skillancer-web: rolled back to revision 1 (web:1.0.0-rc.5)',
    );
    expect(error.hint).toBe('Resume it (kubectl rollout resume deployment/skillancer-api -n production), then run /rollback again.');

    fake.setPaused(NS, 'skillancer-api', false);
    const retry = await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);
    expect(retry).toEqual({
      deployments: {
        'skillancer-web': 'already runs revision 1 (web:1.0.0-rc.5); not patched again',
        'skillancer-api': 'rolled back to revision 1 (api:1.0.0-rc.5)',
      },
    });
    expect(patches().map((c) => c.path.split('/').at(-1))).toEqual(['skillancer-web', 'skillancer-api']);
  });

  it('refuses to patch a Deployment that moved after the plan was approved', async () => {
    fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')] });
    const t = target({ deployments: ['skillancer-web'] });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());
    fake.setImage(NS, 'skillancer-web', web('1.0.0-rc.7'));

    const error = await stepFailure(driver.runStep(stepContext(plan, 'rollout-undo', t).ctx) as Promise<unknown>);
    expect(error.name).toBe('PlanDrift');
    expect(error.message).toContain('skillancer-web changed after the plan was approved');
    expect(patches()).toHaveLength(0);
  });

  it('fails the rollback naming the Deployment that exceeded its progress deadline, and its stuck pods', async () => {
    fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')] });
    fake.addDeployment(NS, 'skillancer-api', { revisions: [api('1.0.0-rc.5'), api('1.0.0-rc.6')], progressDeadlineMs: 300 });
    fake.setImageBehaviour(api('1.0.0-rc.5'), 'imagepullbackoff');
    const t = target({ deployments: ['skillancer-web', 'skillancer-api'] });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());
    await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);

    const error = await stepFailure(driver.runStep(stepContext(plan, 'rollout-status', t).ctx) as Promise<unknown>);
    expect(error.name).toBe('ProgressDeadlineExceeded');
    expect(error.message).toMatch(
      /^skillancer-api failed to roll out: skillancer-api: deployment "skillancer-api" exceeded its progress deadline; stuck pods: skillancer-api-\w+-\w+ \(ImagePullBackOff\) \(ImagePullBackOff: Back-off pulling image "reg\.example\.com\/skillancer\/api:1\.0\.0-rc\.5"\)/,
    );
    expect(error.message).not.toMatch(/skillancer-web failed/);
    expect(error.hint).toContain('kubectl describe deployment/skillancer-api -n production');
    // The earlier version is the one rolled away from: the hint must not promise it keeps serving.
    expect(error.hint).not.toContain('earlier version keep serving');
    expect(error.hint).toContain('Rewind rolled skillancer-api back to revision 1 (api:1.0.0-rc.5), but its pods are not becoming ready either');
  });

  it('rolls back a release already past its progress deadline without reading the stale condition as its own', async () => {
    fake.setImageBehaviour(web('1.0.0-rc.6'), 'crashloop');
    fake.addDeployment(NS, 'skillancer-web', {
      revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')],
      progressDeadlineMs: 5000,
      pastDeadline: true,
      conditionLagMs: 1500,
    });
    const broken = fake.deployment(NS, 'skillancer-web')?.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
    expect(broken).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    const t = target({ deployments: ['skillancer-web'] });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());
    expect(plan.changes).toEqual(['skillancer-web: revision 2 (web:1.0.0-rc.6) → revision 1 (web:1.0.0-rc.5)']);
    expect(broken.message).not.toContain((plan.data as { deployments: { targetReplicaSet: string }[] }).deployments[0]?.targetReplicaSet);

    await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);
    // The controller has seen the patch but still shows the old rollout's condition.
    await new Promise((r) => setTimeout(r, 100));
    const seen = fake.deployment(NS, 'skillancer-web');
    expect(seen?.status.observedGeneration).toBe(seen?.metadata.generation);
    expect(seen?.status.conditions.find((c: { type: string }) => c.type === 'Progressing')).toEqual(broken);

    // Within the lag: kubectl's counts are already complete, but the old condition must not fail the wait.
    const output = await driver.runStep(stepContext(plan, 'rollout-status', t).ctx);
    expect(output).toMatchObject({ deployments: { 'skillancer-web': 'deployment "skillancer-web" successfully rolled out' } });
    expect(running('skillancer-web')).toEqual([web('1.0.0-rc.5')]);
  });

  it('names crash-looping pods in progress lines and stops waiting when cancelled', async () => {
    fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')] });
    fake.setImageBehaviour(web('1.0.0-rc.5'), 'crashloop');
    const t = target({ deployments: ['skillancer-web'], resyncInterval: '100ms' });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());
    await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);

    const cancel = new AbortController();
    const run = stepContext(plan, 'rollout-status', t, cancel.signal);
    const origin = run.ctx.progress;
    run.ctx.progress = (line) => {
      origin(line);
      if (line.includes('CrashLoopBackOff')) cancel.abort(new Error('cancelled by the test'));
    };
    await expect(driver.runStep(run.ctx)).rejects.toThrow('cancelled by the test');
    expect(run.progress.at(-1)).toMatch(/^skillancer-web: .+; stuck pods: skillancer-web-\w+-\w+ \(CrashLoopBackOff\)$/);
    const watchesOpen = () => fake.openWatches();
    while (watchesOpen() > 0) await new Promise((r) => setTimeout(r, 5));
    expect(watchesOpen()).toBe(0);
  });

  for (const abrupt of [false, true]) {
    it(`completes when the watch is dropped mid-rollout (${abrupt ? 'connection reset' : 'clean close'})`, async () => {
      fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')], replicas: 5 });
      const t = target({ deployments: ['skillancer-web'], resyncInterval: '1h' });
      const driver = driverFor(fake);
      const plan = await driver.plan(planRequest(t), ctx());
      fake.holdController(true);
      await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);

      const run = stepContext(plan, 'rollout-status', t);
      const origin = run.ctx.progress;
      let midway = false;
      run.ctx.progress = (line) => {
        origin(line);
        if (!midway && /\b[1-4]\/5 updated/.test(line)) {
          midway = true;
          fake.holdController(true);
        }
      };
      const waiting = driver.runStep(run.ctx);
      const watches = () => fake.calls.filter((c) => c.query.watch === 'true');
      await until(() => fake.openWatches() === 1);
      fake.holdController(false);
      await until(() => midway);
      expect(fake.dropWatches({ abrupt })).toBe(1);
      await until(() => watches().length === 2 && fake.openWatches() === 1);
      fake.holdController(false);

      await expect(waiting).resolves.toMatchObject({ deployments: { 'skillancer-web': 'deployment "skillancer-web" successfully rolled out' } });
      expect(watches().every((c) => c.query.fieldSelector === 'metadata.name=skillancer-web' && /^\d+$/.test(c.query.resourceVersion ?? ''))).toBe(true);
    });
  }

  it('completes through the periodic re-list when the watch stalls without closing', async () => {
    fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')] });
    const t = target({ deployments: ['skillancer-web'], resyncInterval: '100ms' });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());
    fake.holdController(true);
    await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);
    fake.stallWatches(true);

    const waiting = driver.runStep(stepContext(plan, 'rollout-status', t).ctx);
    await until(() => fake.openWatches() === 1);
    const listsBefore = fake.calls.filter((c) => c.query.fieldSelector && c.query.watch !== 'true').length;
    fake.holdController(false);

    await expect(waiting).resolves.toMatchObject({ deployments: { 'skillancer-web': 'deployment "skillancer-web" successfully rolled out' } });
    // Only a re-list after the release can have seen the rollout finish: the one watch stayed silent.
    expect(fake.calls.filter((c) => c.query.fieldSelector && c.query.watch !== 'true').length).toBeGreaterThan(listsBefore);
    expect(fake.calls.filter((c) => c.query.watch === 'true')).toHaveLength(1);
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}
