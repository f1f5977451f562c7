import type { HistoryEntry } from '../driver.js';
import type { KubeApi } from '../shared/kubernetes/api.js';
import { readHistory } from './plan.js';
import { shortImage } from '../shared/kubernetes/revision.js';
import type { KubernetesTarget } from './target.js';

/**
 * `kubectl rollout history` for each Deployment, in catalog order, newest revision first.
 * The description names the Deployment (a service may have several), its images and change-cause.
 */
export async function listHistory(api: KubeApi, target: KubernetesTarget): Promise<HistoryEntry[]> {
  const histories = await Promise.all(target.deployments.map(async (name) => (await readHistory(api, target.namespace, name)).history));
  return histories.flatMap((h) =>
    h.revisions.map((r) => ({
      revision: String(r.revision),
      description: `${h.name}: ${r.images.map(shortImage).join(', ')}${r.changeCause ? ` (${r.changeCause})` : ''}`,
      ...(r.createdAt ? { createdAt: r.createdAt } : {}),
      current: r === h.current,
    })),
  );
}
