import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { imagesOf, ownedReplicaSets, revisionOf, shortImage } from './revision.js';
import { describeStuck, type StuckPod } from './rollout-status.js';

/** What a timed-out rollout leaves in production, read once when the wait gives up. */
export interface TimeoutState {
  deployment: V1Deployment;
  replicaSets: V1ReplicaSet[];
  stuck: StuckPod[];
}

export interface TimeoutWords {
  name: string;
  namespace: string;
  /** What the caller changed before waiting, e.g. `Rewind's undo was applied`. */
  applied: string;
  /** `within 10m`. */
  waited: string;
  /** The catalog key that sets the wait, e.g. `progressTimeout`. */
  timeoutKey: string;
}

const ready = (rs: V1ReplicaSet) => rs.status?.availableReplicas ?? 0;
const images = (rs: V1ReplicaSet | V1Deployment) => imagesOf(rs.spec?.template).map(shortImage).join(', ');

/** `revision 3 (web:1.0.0-rc.5)`, or just the images when the controller has not numbered it yet. */
function template(object: V1ReplicaSet | V1Deployment): string {
  const revision = revisionOf(object);
  return revision === undefined ? `(${images(object)})` : `revision ${revision} (${images(object)})`;
}

/** Which ReplicaSets have ready pods: the new one (carrying the Deployment's revision) and older ones, once the controller has numbered them. */
function serving(deployment: V1Deployment, replicaSets: V1ReplicaSet[], observed: boolean): string {
  const revision = revisionOf(deployment);
  const owned = ownedReplicaSets(deployment, replicaSets).filter((rs) => ready(rs) > 0);
  if (!owned.length) return 'no pod of any revision is ready, so nothing is serving';
  const age = (rs: V1ReplicaSet) => (observed ? `${revisionOf(rs) === revision ? 'new' : 'old'} ` : '');
  const parts = owned
    .sort((a, b) => (revisionOf(b) ?? 0) - (revisionOf(a) ?? 0))
    .map((rs) => `${ready(rs)} of the ${age(rs)}ReplicaSet ${rs.metadata?.name ?? ''} ${template(rs)}`);
  return `ready pods serving: ${parts.join('; ')}`;
}

/** The hint for the cause seen on the stuck pods: what to check and what to do. */
function causeHint(stuck: StuckPod[], observed: boolean, w: TimeoutWords): string {
  const first = (reasons: string[]) => stuck.find((p) => reasons.includes(p.reason));
  const pull = first(['ImagePullBackOff', 'ErrImagePull']);
  if (pull) {
    return (
      `Its new pods cannot pull their image${pull.message ? ` (${pull.message})` : ''}: check the tag exists in the registry and the pull secret, ` +
      `with kubectl describe pod ${pull.name} -n ${w.namespace}; then pick a revision whose image exists (/rollback history) and plan again.`
    );
  }
  const crash = first(['CrashLoopBackOff']);
  if (crash) {
    return (
      `Its new pods start and crash: read why with kubectl logs ${crash.name} -n ${w.namespace} --previous ` +
      `(a missing config value or an unreachable database is common); fix that, or pick another revision with /rollback history, then plan again.`
    );
  }
  const config = first(['CreateContainerConfigError', 'CreateContainerError']);
  if (config) {
    return (
      `Its new pods cannot be created${config.message ? ` (${config.message})` : ''}: a ConfigMap or Secret they reference is usually missing; ` +
      `see kubectl describe pod ${config.name} -n ${w.namespace}, create it, and the rollout carries on by itself.`
    );
  }
  const unschedulable = first(['Unschedulable']);
  if (unschedulable) {
    return (
      `No node can take its new pods${unschedulable.message ? ` (${unschedulable.message})` : ''}: add nodes or free capacity ` +
      `(kubectl describe pod ${unschedulable.name} -n ${w.namespace}); the rollout carries on by itself once they are scheduled.`
    );
  }
  if (!observed) {
    return (
      `The Deployment controller has not acted on the change: check the cluster's kube-controller-manager (kubectl get events -n ${w.namespace}); ` +
      `the rollout starts by itself once it runs.`
    );
  }
  return (
    `No pod is failing: the rollout is slow, not broken. Follow it with kubectl rollout status deployment/${w.name} -n ${w.namespace}; ` +
    `the Deployment fails it by itself after its progressDeadlineSeconds. Raise ${w.timeoutKey} in the catalog if rollouts are this slow.`
  );
}

/**
 * The timeout's sentence and hint: what was applied, which template the Deployment now specifies,
 * the counts, who is still serving, and a hint that fits why the new pods are not ready.
 */
export function describeTimeout(state: TimeoutState, w: TimeoutWords): { message: string; hint: string } {
  const { deployment, replicaSets, stuck } = state;
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const stuckText = stuck.length ? `; stuck pods: ${describeStuck(stuck)}` : '';
  // Until the controller observes the change, the revision annotation and the counts describe the template before it.
  const observed = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const specifies = observed
    ? `the Deployment specifies ${template(deployment)}, ${status.updatedReplicas ?? 0}/${desired} pods updated, ${status.availableReplicas ?? 0}/${desired} available`
    : `the Deployment specifies ${images(deployment)} but its controller has not taken the change up yet (no revision number, no new pods)`;
  const message = `${w.name} did not finish rolling out ${w.waited}. ${w.applied}: ${specifies}; ${serving(deployment, replicaSets, observed)}${stuckText}`;
  return { message, hint: causeHint(stuck, observed, w) };
}
