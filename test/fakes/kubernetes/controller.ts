import { performance } from 'node:perf_hooks';
import {
  CHANGE_CAUSE,
  DESIRED_REPLICAS,
  HASH_LABEL,
  MAX_REPLICAS,
  NOT_COPIED,
  REVISION,
  REVISION_HISTORY,
  controllerRef,
  isControlledBy,
  now,
  podTemplate,
  randomSuffix,
  revisionOf,
  templateHash,
  templateText,
} from './objects.js';
import type { KubeObject, ObjectStore } from './store.js';

/**
 * A small Deployment controller: per tick it makes (or reuses) the ReplicaSet for the template with
 * the next revision, as kube-controller-manager does, surges one pod, retires one old pod once a new
 * one is ready, and reports status and the Progressing condition (ProgressDeadlineExceeded included).
 */

export type ImageBehaviour = 'healthy' | 'crashloop' | 'imagepullbackoff' | 'unschedulable';

export type RevisionSeed = string | string[] | { images: string | string[]; changeCause?: string };

export interface DeploymentSeed {
  /** Images of each revision, oldest first; the last is what runs now. */
  revisions: RevisionSeed[];
  replicas?: number;
  paused?: boolean;
  /** The progress deadline in ms (spec.progressDeadlineSeconds stays 600; tests need it short). */
  progressDeadlineMs?: number;
  labels?: Record<string, string>;
  /**
   * The newest revision's rollout is stuck past its progress deadline: one surge pod of it (make its
   * image unhealthy with setImageBehaviour first), the revision before still serving, and
   * Progressing=False ProgressDeadlineExceeded naming the newest ReplicaSet.
   */
  pastDeadline?: boolean;
  /**
   * After a spec change the controller records observedGeneration at once but rewrites the
   * Progressing condition only this much later, so a reader sees the old condition for a while.
   */
  conditionLagMs?: number;
}

interface Tracking {
  progressAt: number;
  counts: string;
  deadlineMs?: number;
  completedGeneration?: number;
  /** performance.now() when status last became complete per `kubectl rollout status` rules. */
  completedAt?: number;
  conditionLagMs?: number;
  /** The generation last reconciled, and until when (Date.now()) the Progressing condition is left as it was. */
  generation?: number;
  staleUntil?: number;
}

const copyable = (annotations: Record<string, string> | undefined) => Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !NOT_COPIED.has(k)));

const isReady = (pod: KubeObject) => pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') === true;

/** Zero-valued status fields are omitted on the wire (omitempty). */
const omitZero = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== undefined));

export class FakeDeploymentController {
  readonly behaviours = new Map<string, ImageBehaviour>();
  private readonly tracking = new Map<string, Tracking>();

  constructor(private readonly store: ObjectStore) {}

  completedAt(namespace: string, name: string): number | undefined {
    return this.tracking.get(`${namespace}/${name}`)?.completedAt;
  }

  tick(): void {
    for (const deployment of this.store.all('deployments')) this.reconcile(deployment);
  }

  private track(d: KubeObject): Tracking {
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    let t = this.tracking.get(key);
    if (!t) {
      t = { progressAt: Date.now(), counts: '' };
      this.tracking.set(key, t);
    }
    return t;
  }

  private behaviourOf(images: string[]): ImageBehaviour {
    return images.map((i) => this.behaviours.get(i) ?? 'healthy').find((b) => b !== 'healthy') ?? 'healthy';
  }

  private ownedReplicaSets(d: KubeObject): KubeObject[] {
    return this.store.list('replicasets', d.metadata.namespace, (rs) => isControlledBy(rs, d));
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.store.list('pods', rs.metadata.namespace, (p) => isControlledBy(p, rs));
  }

  /** getNewReplicaSet: reuse the ReplicaSet with this template (moving its revision to the newest) or make one. */
  private syncRevision(deployment: KubeObject, createdAt?: string): { deployment: KubeObject; newRS: KubeObject; olds: KubeObject[]; changed: boolean } {
    let d = deployment;
    const owned = this.ownedReplicaSets(d);
    const text = templateText(d.spec.template);
    let newRS = owned.find((rs) => templateText(rs.spec.template) === text);
    const olds = owned.filter((rs) => rs !== newRS);
    const next = String(Math.max(0, ...olds.map(revisionOf)) + 1);
    let changed = false;
    if (!newRS) {
      const hash = templateHash(d.spec.template);
      const template = structuredClone(d.spec.template);
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH_LABEL]: hash } };
      newRS = this.store.put('replicasets', {
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: d.metadata.namespace,
          generation: 1,
          labels: { ...template.metadata.labels },
          annotations: {
            ...copyable(d.metadata.annotations),
            [REVISION]: next,
            [DESIRED_REPLICAS]: String(d.spec.replicas),
            [MAX_REPLICAS]: String(d.spec.replicas + 1),
          },
          ownerReferences: [controllerRef(d, 'Deployment')],
          ...(createdAt ? { creationTimestamp: createdAt } : {}),
        },
        spec: { replicas: 0, selector: { matchLabels: { ...d.spec.selector.matchLabels, [HASH_LABEL]: hash } }, template },
        status: { replicas: 0, observedGeneration: 1 },
      });
      changed = true;
    } else {
      const annotations: Record<string, string> = { ...newRS.metadata.annotations, ...copyable(d.metadata.annotations) };
      if (revisionOf(newRS) < Number(next)) {
        const history = (annotations[REVISION_HISTORY] ?? '').split(',').filter(Boolean);
        annotations[REVISION_HISTORY] = [...history, String(revisionOf(newRS))].join(',');
        annotations[REVISION] = next;
        changed = true;
      }
      if (JSON.stringify(annotations) !== JSON.stringify(newRS.metadata.annotations)) {
        newRS.metadata.annotations = annotations;
        newRS = this.store.put('replicasets', newRS);
      }
    }
    const revision = newRS.metadata.annotations?.[REVISION] ?? next;
    if (d.metadata.annotations?.[REVISION] !== revision) {
      d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: revision };
      d = this.store.put('deployments', d);
    }
    return { deployment: d, newRS, olds, changed };
  }

  private podStatus(pod: KubeObject, images: string[], ready: boolean): KubeObject['status'] {
    const containers = (pod.spec.containers as { name: string; image: string }[]).map((c) => ({ name: c.name, image: c.image }));
    const started = now();
    switch (this.behaviourOf(images)) {
      case 'unschedulable':
        return {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }],
        };
      case 'imagepullbackoff':
        return {
          phase: 'Pending',
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
          ],
          containerStatuses: containers.map((c) => ({
            ...c,
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } },
          })),
        };
      case 'crashloop':
        return {
          phase: 'Running',
          startTime: started,
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
          ],
          containerStatuses: containers.map((c) => ({
            ...c,
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=${c.name} pod=${pod.metadata.name}` } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          })),
        };
      default:
        return ready
          ? {
              phase: 'Running',
              startTime: started,
              conditions: [
                { type: 'PodScheduled', status: 'True' },
                { type: 'Ready', status: 'True' },
              ],
              containerStatuses: containers.map((c) => ({ ...c, ready: true, started: true, restartCount: 0, state: { running: { startedAt: started } } })),
            }
          : {
              phase: 'Pending',
              conditions: [
                { type: 'PodScheduled', status: 'True' },
                { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
              ],
              containerStatuses: containers.map((c) => ({ ...c, ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } })),
            };
    }
  }

  private imagesOf(rs: KubeObject): string[] {
    return (rs.spec.template.spec.containers as { image: string }[]).map((c) => c.image);
  }

  /** Sets a ReplicaSet's replicas, creating or deleting its pods (not-ready ones go first). */
  private scale(rs: KubeObject, replicas: number, readyAtOnce = false): void {
    const pods = this.podsOf(rs);
    for (let i = pods.length; i < replicas; i++) {
      const pod: KubeObject = {
        metadata: {
          name: `${rs.metadata.name}-${randomSuffix()}`,
          namespace: rs.metadata.namespace,
          labels: { ...rs.spec.template.metadata.labels },
          ownerReferences: [controllerRef(rs, 'ReplicaSet')],
        },
        spec: structuredClone(rs.spec.template.spec),
      };
      pod.status = this.podStatus(pod, this.imagesOf(rs), readyAtOnce);
      this.store.put('pods', pod);
    }
    const doomed = [...pods].sort((a, b) => Number(isReady(a)) - Number(isReady(b))).slice(0, Math.max(0, pods.length - replicas));
    for (const pod of doomed) this.store.remove('pods', pod.metadata.namespace, pod.metadata.name);
    rs.spec.replicas = replicas;
    this.store.put('replicasets', rs);
  }

  private syncReplicaSetStatus(rs: KubeObject): void {
    const pods = this.podsOf(rs);
    const ready = pods.filter(isReady).length;
    const status = omitZero({
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    });
    if (JSON.stringify(status) !== JSON.stringify(rs.status)) this.store.put('replicasets', { ...rs, status });
  }

  /** Healthy pods become ready one tick after they were created. */
  private progressPods(rs: KubeObject): void {
    for (const pod of this.podsOf(rs)) {
      if (isReady(pod)) continue;
      const status = this.podStatus(pod, this.imagesOf(rs), true);
      if (JSON.stringify(status.conditions) !== JSON.stringify(pod.status?.conditions)) this.store.put('pods', { ...pod, status });
    }
  }

  private reconcile(initial: KubeObject): void {
    const t = this.track(initial);
    if (initial.spec.paused) {
      const conditions = this.conditions(initial, [{ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }]);
      this.writeStatus(initial, { ...initial.status, observedGeneration: initial.metadata.generation, conditions });
      return;
    }
    const { deployment: d, newRS, olds, changed } = this.syncRevision(initial);
    if (changed) t.progressAt = Date.now();
    const desired: number = d.spec.replicas ?? 1;

    for (const rs of [newRS, ...olds]) this.progressPods(rs);
    const oldReplicas = olds.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const newReady = this.podsOf(newRS).filter(isReady).length;
    if (newRS.spec.replicas > desired) this.scale(newRS, newRS.spec.replicas - 1);
    else if (newRS.spec.replicas < desired && newRS.spec.replicas + oldReplicas < desired + 1) this.scale(newRS, newRS.spec.replicas + 1);
    else if (oldReplicas > 0 && newReady + oldReplicas > desired) {
      const old = olds.find((rs) => (rs.spec.replicas ?? 0) > 0);
      if (old) this.scale(old, old.spec.replicas - 1);
    }

    const all = this.ownedReplicaSets(d);
    for (const rs of all) this.syncReplicaSetStatus(rs);
    const current = all.find((rs) => rs.metadata.name === newRS.metadata.name) ?? newRS;
    const replicas = all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const updated: number = current.spec.replicas ?? 0;
    const ready = all.reduce((n, rs) => n + this.podsOf(rs).filter(isReady).length, 0);
    const counts = `${replicas}/${updated}/${ready}`;
    if (counts !== t.counts) {
      t.counts = counts;
      t.progressAt = Date.now();
    }
    const complete = updated === desired && replicas === updated && ready === updated;
    const deadlineMs = t.deadlineMs ?? (d.spec.progressDeadlineSeconds ?? 600) * 1000;
    const rsName = current.metadata.name;
    const progressing = complete
      ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }
      : Date.now() - t.progressAt > deadlineMs
        ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }
        : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` };
    const available =
      ready >= desired
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
    if (t.generation !== d.metadata.generation) {
      t.generation = d.metadata.generation;
      if (t.conditionLagMs) t.staleUntil = Date.now() + t.conditionLagMs;
    }
    const stale = (t.staleUntil ?? 0) > Date.now() ? d.status?.conditions?.find((c: { type: string }) => c.type === 'Progressing') : undefined;
    const conditions = this.conditions(d, [available, progressing]).map((c) => (stale && c.type === 'Progressing' ? stale : c));
    const status = {
      ...omitZero({
        observedGeneration: d.metadata.generation,
        replicas,
        updatedReplicas: updated,
        readyReplicas: ready,
        availableReplicas: ready,
        unavailableReplicas: Math.max(0, replicas - ready),
      }),
      conditions,
    };
    if (complete && t.completedGeneration !== d.metadata.generation) {
      t.completedGeneration = d.metadata.generation;
      t.completedAt = performance.now();
    }
    this.writeStatus(d, status);
  }

  /** Keeps a condition's timestamps while its status and reason stay the same. */
  private conditions(d: KubeObject, wanted: { type: string; status: string; reason: string; message: string }[]) {
    const existing: { type: string; status: string; reason: string; lastUpdateTime: string; lastTransitionTime: string }[] = d.status?.conditions ?? [];
    return wanted.map((c) => {
      const old = existing.find((e) => e.type === c.type);
      const same = old && old.status === c.status && old.reason === c.reason;
      return { ...c, lastUpdateTime: same ? old.lastUpdateTime : now(), lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now() };
    });
  }

  private writeStatus(d: KubeObject, status: KubeObject['status']): void {
    const latest = this.store.get('deployments', d.metadata.namespace, d.metadata.name);
    if (!latest || JSON.stringify(latest.status) === JSON.stringify(status)) return;
    this.store.put('deployments', { ...latest, status });
  }

  /** Builds a Deployment with its revision history, as if each revision had been rolled out in turn. */
  seed(namespace: string, name: string, seed: DeploymentSeed): KubeObject {
    if (!seed.revisions.length) throw new Error('addDeployment needs at least one revision');
    const revisions = seed.revisions.map((r) => {
      const images = typeof r === 'string' ? [r] : Array.isArray(r) ? r : typeof r.images === 'string' ? [r.images] : r.images;
      return { images, changeCause: typeof r === 'object' && !Array.isArray(r) ? r.changeCause : undefined };
    });
    const labels = seed.labels ?? { app: 'skillancer', 'app.kubernetes.io/name': name };
    const container = name.split('-').at(-1) ?? name;
    const replicas = seed.replicas ?? 3;
    const hourAgo = (n: number) => new Date(Date.now() - n * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    let d = this.store.put('deployments', {
      metadata: { name, namespace, generation: 0, labels: { ...labels }, annotations: {}, creationTimestamp: hourAgo(revisions.length) },
      spec: {
        replicas,
        selector: { matchLabels: { ...labels } },
        template: podTemplate(labels, container, revisions[0]?.images ?? []),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    });
    let newRS: KubeObject | undefined;
    let previousRS: KubeObject | undefined;
    revisions.forEach((r, i) => {
      previousRS = newRS;
      d.spec.template = podTemplate(labels, container, r.images);
      d.metadata.generation = (d.metadata.generation ?? 0) + 1;
      const annotations = { ...d.metadata.annotations };
      if (r.changeCause) annotations[CHANGE_CAUSE] = r.changeCause;
      else delete annotations[CHANGE_CAUSE];
      d.metadata.annotations = annotations;
      d = this.store.put('deployments', d);
      ({ deployment: d, newRS } = this.syncRevision(d, hourAgo(revisions.length - i)));
    });
    const stuck = seed.pastDeadline && previousRS && newRS ? { old: previousRS, new: newRS } : undefined;
    if (stuck) {
      this.scale(stuck.old, replicas, true);
      this.scale(stuck.new, 1);
    } else if (newRS) this.scale(newRS, replicas, true);
    for (const rs of this.ownedReplicaSets(d)) this.syncReplicaSetStatus(rs);
    const t = this.track(d);
    t.deadlineMs = seed.progressDeadlineMs;
    t.conditionLagMs = seed.conditionLagMs;
    t.generation = d.metadata.generation;
    d.spec.paused = seed.paused || undefined;
    if (stuck) {
      const ready = [stuck.old, stuck.new].reduce((n, rs) => n + this.podsOf(rs).filter(isReady).length, 0);
      const newPods = this.podsOf(stuck.new).length;
      t.counts = `${replicas + newPods}/${newPods}/${ready}`;
      t.progressAt = Date.now() - (t.deadlineMs ?? 600_000) - 60_000;
      const since = new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
      d.status = {
        ...omitZero({
          observedGeneration: d.metadata.generation,
          replicas: replicas + newPods,
          updatedReplicas: newPods,
          readyReplicas: ready,
          availableReplicas: ready,
          unavailableReplicas: Math.max(0, replicas + newPods - ready),
        }),
        conditions: [
          {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
            lastUpdateTime: since,
            lastTransitionTime: since,
          },
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: `ReplicaSet "${stuck.new.metadata.name}" has timed out progressing.`,
            lastUpdateTime: since,
            lastTransitionTime: since,
          },
        ],
      };
      return this.store.put('deployments', d);
    }
    t.completedGeneration = d.metadata.generation;
    t.counts = `${replicas}/${replicas}/${replicas}`;
    d.status = {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: this.conditions(d, [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newRS?.metadata.name}" has successfully progressed.` },
      ]),
    };
    return this.store.put('deployments', d);
  }
}
