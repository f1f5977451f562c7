import type { ReadinessContext, ReadinessItem } from '../readiness.js';
import type { KubeApi } from '../shared/kubernetes/api.js';
import { readHistory } from './plan.js';
import { describeRevision } from './revisions.js';
import type { KubernetesTarget } from './target.js';

/** Kubernetes' default when a Deployment does not set it. */
const DEFAULT_HISTORY_LIMIT = 10;

/**
 * DistroCV's "previous version still available" for Kubernetes, per Deployment: the ReplicaSet
 * `kubectl rollout undo` would go back to is still kept (within `revisionHistoryLimit`).
 */
export async function kubernetesReadiness(api: KubeApi, target: KubernetesTarget, _ctx: ReadinessContext): Promise<ReadinessItem[]> {
  return Promise.all(
    target.deployments.map(async (name): Promise<ReadinessItem> => {
      const { deployment, history } = await readHistory(api, target.namespace, name);
      const limit = deployment.spec?.revisionHistoryLimit ?? DEFAULT_HISTORY_LIMIT;
      const previous = history.revisions.find((r) => r !== history.current);
      if (previous) return { check: 'previous', ok: true, detail: `${name}: ${describeRevision(previous)} kept (revisionHistoryLimit ${limit})` };
      const only = history.current ? `only ${describeRevision(history.current)} is kept` : 'no ReplicaSet is kept';
      return {
        check: 'previous',
        ok: false,
        detail: `${name}: ${only} (revisionHistoryLimit ${limit}), so \`kubectl rollout undo\` has nothing to go back to`,
        fix:
          limit < 2
            ? `Set \`spec.revisionHistoryLimit\` of ${name} to at least 2 (default 10) so the previous ReplicaSet survives a deploy.`
            : `${name} has had one revision since its ReplicaSets were pruned: the next deploy keeps this one as the previous version.`,
      };
    }),
  );
}
