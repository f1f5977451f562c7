import type { V1Deployment, V1Pod, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { chooseTarget, deploymentHistory, rollbackPatch, templateKey } from '../../src/drivers/kubernetes/revisions.js';
import { shortImage } from '../../src/drivers/shared/kubernetes/revision.js';
import { rolloutStatus, stuckPods } from '../../src/drivers/shared/kubernetes/rollout-status.js';
import { selectorString } from '../../src/drivers/shared/kubernetes/selector.js';

const template = (image: string, hash?: string): V1PodTemplateSpec => ({
  metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'web', image }] },
});

const deployment = (image: string, extra: Partial<V1Deployment['spec']> = {}, annotations: Record<string, string> = {}): V1Deployment => ({
  metadata: { name: 'skillancer-web', uid: 'd-1', annotations },
  spec: { selector: { matchLabels: { app: 'web' } }, template: template(image), ...extra },
});

const replicaSet = (name: string, revision: number, image: string, annotations: Record<string, string> = {}, owner = 'd-1'): V1ReplicaSet => ({
  metadata: {
    name,
    annotations: { 'deployment.kubernetes.io/revision': String(revision), ...annotations },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'skillancer-web', uid: owner, controller: true }],
  },
  spec: { selector: { matchLabels: { app: 'web' } }, template: template(image, `h${revision}`) },
});

describe('revision choice (kubectl rollout undo)', () => {
  const history = deploymentHistory(deployment('web:3'), [
    replicaSet('rs-1', 1, 'web:1'),
    replicaSet('rs-3', 3, 'web:3'),
    replicaSet('rs-2', 2, 'web:2'),
    replicaSet('stray', 9, 'web:9', {}, 'someone-else'),
  ]);

  it('orders owned ReplicaSets newest first and finds the current one by template, ignoring pod-template-hash', () => {
    expect(history.revisions.map((r) => r.revision)).toEqual([3, 2, 1]);
    expect(history.current?.replicaSet).toBe('rs-3');
  });

  it('picks the second-highest revision, an exact revision, or the newest revision with an image tag', () => {
    expect(chooseTarget(history, 'prod')).toMatchObject({ kind: 'rollback', target: { revision: 2 } });
    expect(chooseTarget(history, 'prod', '1')).toMatchObject({ kind: 'rollback', target: { revision: 1 } });
    expect(chooseTarget(history, 'prod', 'v1')).toMatchObject({ kind: 'rollback', target: { revision: 1 } });
    expect(chooseTarget(history, 'prod', '3')).toEqual(
      expect.objectContaining({ kind: 'skip', reason: 'skipped rollback (current template already matches revision 3)' }),
    );
  });

  it('refuses while the controller has not yet made the current template the newest revision', () => {
    const lagging = deploymentHistory(deployment('web:4'), [replicaSet('rs-1', 1, 'web:1'), replicaSet('rs-3', 3, 'web:3')]);
    expect(chooseTarget(lagging, 'prod')).toEqual({
      kind: 'refused',
      reason: 'skillancer-web has a change the Deployment controller has not recorded as a revision yet; wait a few seconds and ask again',
    });
    const reused = deploymentHistory(deployment('web:1'), [replicaSet('rs-1', 1, 'web:1'), replicaSet('rs-3', 3, 'web:3')]);
    expect(chooseTarget(reused, 'prod').kind).toBe('refused');
  });
});

describe('rollback patch (kubectl rollback helper)', () => {
  it('restores the template without pod-template-hash and merges annotations per annotationsToSkip', () => {
    const d = deployment(
      'web:3',
      {},
      {
        'deployment.kubernetes.io/revision': '3',
        'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}',
        'kubernetes.io/change-cause': 'deploy 3',
        team: 'growth',
      },
    );
    const rs = replicaSet('rs-2', 2, 'web:2', {
      'kubernetes.io/change-cause': 'deploy 2',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
      'deployment.kubernetes.io/revision-history': '1',
    });
    expect(rollbackPatch(d, rs)).toEqual([
      { op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:2' }] } } },
      {
        op: 'replace',
        path: '/metadata/annotations',
        value: {
          'deployment.kubernetes.io/revision': '3',
          'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}',
          'kubernetes.io/change-cause': 'deploy 2',
        },
      },
    ]);
  });

  it('compares templates like apimachinery: empty and null fields do not count, key order does not matter', () => {
    const a: V1PodTemplateSpec = { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'web', image: 'x', env: [] }] } };
    const b = {
      spec: { containers: [{ image: 'x', name: 'web', args: null }] },
      metadata: { creationTimestamp: null, labels: { app: 'web', 'pod-template-hash': 'abc' } },
    };
    expect(templateKey(a)).toBe(templateKey(b as unknown as V1PodTemplateSpec));
    expect(templateKey(a)).not.toBe(templateKey(template('y')));
  });

  it('writes label selectors and short image names the way they are shown', () => {
    expect(
      selectorString({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier in (a,b),!canary');
    expect(shortImage('reg.example.com:5000/skillancer/web:1.0.0-rc.5')).toBe('web:1.0.0-rc.5');
    expect(shortImage('web@sha256:0123456789abcdef0123')).toBe('web@sha256:0123456789ab');
  });
});

describe('rollout status rules (kubectl rollout status)', () => {
  const at = (status: V1Deployment['status'], generation = 2, replicas = 3): V1Deployment => ({
    metadata: { name: 'web', generation },
    spec: { replicas, selector: {}, template: {} },
    status,
  });

  it('walks through kubectl’s messages until the rollout is complete', () => {
    expect(rolloutStatus(at({ observedGeneration: 1 })).message).toBe('Waiting for deployment spec update to be observed...');
    expect(rolloutStatus(at({ observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3 }))).toEqual({
      state: 'waiting',
      message: 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      line: 'web: 1/3 updated, 3/3 available, 3 old pending termination',
    });
    expect(rolloutStatus(at({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    );
    expect(rolloutStatus(at({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
    );
    expect(rolloutStatus(at({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))).toMatchObject({
      state: 'complete',
      message: 'deployment "web" successfully rolled out',
    });
  });

  it('treats ProgressDeadlineExceeded as a failure once the generation is observed', () => {
    const cond = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
    expect(rolloutStatus(at({ observedGeneration: 2, conditions: cond })).state).toBe('failed');
    expect(rolloutStatus(at({ observedGeneration: 1, conditions: cond })).state).toBe('waiting');
  });

  it('after a change, judges only a deadline naming the new ReplicaSet or updated since the change', () => {
    const old = (lastUpdateTime: string, rs = 'web-old') => [
      { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs}" has timed out progressing.`, lastUpdateTime },
    ];
    const since = new Date('2026-12-04T15:00:00.500Z');
    const fresh = { newReplicaSet: 'web-new', since };
    const status = (conditions: object[]) => at({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3, conditions } as never);
    expect(rolloutStatus(status(old('2026-12-04T14:55:00Z')), fresh).state).toBe('waiting');
    expect(rolloutStatus(status(old('2026-12-04T15:00:00Z')), fresh).state).toBe('waiting');
    expect(rolloutStatus(status(old('2026-12-04T15:00:01Z')), fresh).state).toBe('failed');
    expect(rolloutStatus(status(old('2026-12-04T14:55:00Z', 'web-new')), fresh).state).toBe('failed');
    expect(rolloutStatus(status(old('2026-12-04T14:55:00Z'))).state).toBe('failed');
    // A generation older than the change's is not yet the controller's view of it.
    expect(rolloutStatus(status(old('2026-12-04T15:00:01Z')), { ...fresh, minGeneration: 3 }).message).toBe(
      'Waiting for deployment spec update to be observed...',
    );
  });

  it('names pods stuck pulling images, crash looping or unschedulable', () => {
    const pod = (name: string, status: V1Pod['status']): V1Pod => ({ metadata: { name }, status });
    expect(
      stuckPods([
        pod('b', {
          containerStatuses: [
            { name: 'c', image: 'i', imageID: '', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } } },
          ],
        }),
        pod('a', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] }),
        pod('c', {
          containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
        }),
        pod('d', {
          initContainerStatuses: [{ name: 'i', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }],
        }),
      ]),
    ).toEqual([
      { name: 'a', reason: 'Unschedulable', message: '0/3 nodes are available' },
      { name: 'b', reason: 'CrashLoopBackOff', message: 'back-off' },
      { name: 'd', reason: 'ImagePullBackOff', message: undefined },
    ]);
  });
});
