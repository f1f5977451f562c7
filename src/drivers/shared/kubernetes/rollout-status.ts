import type { V1Deployment, V1Pod } from '@kubernetes/client-node';

/** Pure `kubectl rollout status` rules (kubectl/pkg/polymorphichelpers/rollout_status.go) and stuck-pod detection. */

export interface RolloutStatus {
  state: 'waiting' | 'complete' | 'failed';
  /** kubectl's own sentence. */
  message: string;
  /** Short progress line for the thread: `skillancer-web: 2/3 updated, 1/3 available`. */
  line: string;
}

/** What a caller that just changed the Deployment knows, so a condition left from before the change is not judged. */
export interface RolloutFreshness {
  /** The ReplicaSet the change rolls to: a condition naming it is about this rollout. */
  newReplicaSet?: string;
  /** When the change was made: a condition updated after it is about this rollout. */
  since?: Date;
  /** The generation the change produced: status observed before it says nothing. */
  minGeneration?: number;
}

/** lastUpdateTime has one-second resolution: only a later second than `since`'s counts (the name covers the rest). */
function isFresh(condition: { message?: string; lastUpdateTime?: Date | string }, fresh: RolloutFreshness): boolean {
  if (!fresh.newReplicaSet && !fresh.since) return true;
  if (fresh.newReplicaSet && condition.message?.includes(`"${fresh.newReplicaSet}"`)) return true;
  if (fresh.since && condition.lastUpdateTime) {
    const updated = new Date(condition.lastUpdateTime).getTime();
    return updated >= (Math.floor(fresh.since.getTime() / 1000) + 1) * 1000;
  }
  return false;
}

export function rolloutStatus(deployment: V1Deployment, fresh: RolloutFreshness = {}): RolloutStatus {
  const name = deployment.metadata?.name ?? '';
  const generation = Math.max(deployment.metadata?.generation ?? 0, fresh.minGeneration ?? 0);
  const status = deployment.status ?? {};
  if (generation > (status.observedGeneration ?? 0)) {
    return { state: 'waiting', message: 'Waiting for deployment spec update to be observed...', line: `${name}: waiting for the controller to see the change` };
  }
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const old = Math.max(0, replicas - updated);
  const line = `${name}: ${updated}/${desired} updated, ${available}/${desired} available${old ? `, ${old} old pending termination` : ''}`;
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  // A deadline passed by the rollout before ours (its condition still names the old ReplicaSet) is not ours to judge.
  if (progressing?.reason === 'ProgressDeadlineExceeded' && isFresh(progressing, fresh)) {
    return { state: 'failed', message: `deployment "${name}" exceeded its progress deadline`, line };
  }
  const waiting = (what: string): RolloutStatus => ({ state: 'waiting', message: `Waiting for deployment "${name}" rollout to finish: ${what}...`, line });
  if (updated < desired) return waiting(`${updated} out of ${desired} new replicas have been updated`);
  if (replicas > updated) return waiting(`${old} old replicas are pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas are available`);
  return { state: 'complete', message: `deployment "${name}" successfully rolled out`, line };
}

export interface StuckPod {
  name: string;
  reason: string;
  /** The kubelet's or scheduler's explanation, e.g. `Back-off pulling image "api:1.0.0-rc.5"`. */
  message?: string;
}

const STUCK_WAITING = new Set(['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError']);

/** Pods that will not become ready by waiting: image pulls failing, crash loops, nowhere to schedule. */
export function stuckPods(pods: V1Pod[]): StuckPod[] {
  const stuck: StuckPod[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const waiting = statuses.map((s) => s.state?.waiting).find((w) => w?.reason && STUCK_WAITING.has(w.reason));
    const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
    if (waiting?.reason) stuck.push({ name, reason: waiting.reason, message: waiting.message });
    else if (unschedulable) stuck.push({ name, reason: 'Unschedulable', message: unschedulable.message });
  }
  return stuck.sort((a, b) => a.name.localeCompare(b.name));
}

/** `skillancer-api-6f9c-x2x (ImagePullBackOff), ... and 3 more`: names a few, counts the rest. */
export function describeStuck(pods: StuckPod[], max = 3): string {
  const named = pods
    .slice(0, max)
    .map((p) => `${p.name} (${p.reason})`)
    .join(', ');
  return pods.length > max ? `${named} and ${pods.length - max} more` : named;
}
