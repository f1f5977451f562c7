import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { driverFor, planRequest, silentLog, stepContext, target } from '../fakes/kubernetes/harness.js';
import type { ImageBehaviour } from '../fakes/kubernetes/controller.js';
import { startFakeKube, type FakeKube } from '../fakes/kubernetes/server.js';
import { stepFailure } from '../support/rejections.js';

const ctx = () => ({ signal: new AbortController().signal, log: silentLog });
const NS = 'production';
const web = (tag: string) => `reg.example.com/skillancer/web:${tag}`;

describe('kubernetes driver: a rollout that outlives progressTimeout', () => {
  let fake: FakeKube;

  beforeEach(async () => {
    fake = await startFakeKube({ tickMs: 10 });
  });
  afterEach(() => fake.close());

  /** Rolls skillancer-web from rc.6 back to rc.5 and waits at most `progressTimeout`; the Deployment's own deadline stays 600 s. */
  async function timeout(behaviour?: ImageBehaviour, hold?: 'before' | 'midway') {
    fake.addDeployment(NS, 'skillancer-web', { revisions: [web('1.0.0-rc.5'), web('1.0.0-rc.6')] });
    if (behaviour) fake.setImageBehaviour(web('1.0.0-rc.5'), behaviour);
    const t = target({ deployments: ['skillancer-web'], progressTimeout: '1s', resyncInterval: '100ms' });
    const driver = driverFor(fake);
    const plan = await driver.plan(planRequest(t), ctx());
    if (hold === 'before') fake.holdController(true);
    await driver.runStep(stepContext(plan, 'rollout-undo', t).ctx);
    const run = stepContext(plan, 'rollout-status', t);
    // The controller stops part-way: the rollout is neither done nor failing.
    if (hold === 'midway') run.ctx.progress = (line) => /: [12]\/3 updated/.test(line) && fake.holdController(true);
    const error = await stepFailure(driver.runStep(run.ctx) as Promise<unknown>);
    expect(error.name).toBe('RolloutTimeout');
    return error;
  }

  it('says the undo was applied, which template the Deployment specifies, the counts, and that the old ReplicaSet still serves', async () => {
    const error = await timeout('imagepullbackoff');
    const [newRS] = fake.replicaSets(NS, 'skillancer-web').filter((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3');
    const [oldRS] = fake.replicaSets(NS, 'skillancer-web').filter((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2');
    const status = fake.deployment(NS, 'skillancer-web')?.status as { updatedReplicas: number; availableReplicas: number };
    expect(error.message).toContain(
      `skillancer-web failed to roll out: skillancer-web did not finish rolling out within 1s. Rewind's undo to revision 1 (web:1.0.0-rc.5) was applied: ` +
        `the Deployment specifies revision 3 (web:1.0.0-rc.5), ${status.updatedReplicas}/3 pods updated, ${status.availableReplicas}/3 available; ` +
        `ready pods serving: ${oldRS?.status.availableReplicas} of the old ReplicaSet ${oldRS?.metadata.name} revision 2 (web:1.0.0-rc.6); stuck pods: `,
    );
    expect(error.message).not.toContain(`new ReplicaSet ${newRS?.metadata.name}`);
    expect(error.message).toMatch(/stuck pods: skillancer-web-\w+-\w+ \(ImagePullBackOff\)/);
    expect(error.hint).toMatch(
      /^Its new pods cannot pull their image \(Back-off pulling image "reg\.example\.com\/skillancer\/web:1\.0\.0-rc\.5"\): check the tag exists/,
    );
    expect(error.hint).toMatch(/kubectl describe pod skillancer-web-\w+-\w+ -n production/);
  });

  it('points crash-looping pods at their logs', async () => {
    const error = await timeout('crashloop');
    expect(error.message).toMatch(/stuck pods: skillancer-web-\w+-\w+ \(CrashLoopBackOff\)/);
    expect(error.hint).toMatch(/^Its new pods start and crash: read why with kubectl logs skillancer-web-\w+-\w+ -n production --previous/);
  });

  it('points unschedulable pods at capacity, quoting the scheduler', async () => {
    const error = await timeout('unschedulable');
    expect(error.hint).toContain('No node can take its new pods (0/3 nodes are available: 3 Insufficient cpu.): add nodes or free capacity');
  });

  it('calls a rollout with no failing pod slow rather than broken', async () => {
    const error = await timeout(undefined, 'midway');
    expect(error.message).toMatch(/the Deployment specifies revision 3 \(web:1\.0\.0-rc\.5\), [12]\/3 pods updated, \d\/3 available; ready pods serving: /);
    expect(error.message).toMatch(/\d of the old ReplicaSet skillancer-web-\w+ revision 2 \(web:1\.0\.0-rc\.6\)$/);
    expect(error.message).not.toContain('stuck pods');
    expect(error.hint).toBe(
      'No pod is failing: the rollout is slow, not broken. Follow it with kubectl rollout status deployment/skillancer-web -n production; ' +
        'the Deployment fails it by itself after its progressDeadlineSeconds. Raise progressTimeout in the catalog if rollouts are this slow.',
    );
  });

  it('says when the controller has not taken the change up at all', async () => {
    const error = await timeout(undefined, 'before');
    expect(error.message).toMatch(
      /the Deployment specifies web:1\.0\.0-rc\.5 but its controller has not taken the change up yet \(no revision number, no new pods\); ready pods serving: 3 of the ReplicaSet skillancer-web-\w+ revision 2 \(web:1\.0\.0-rc\.6\)$/,
    );
    expect(error.hint).toContain("The Deployment controller has not acted on the change: check the cluster's kube-controller-manager");
  });
});
