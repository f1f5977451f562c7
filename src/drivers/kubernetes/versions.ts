import type { KubeApi } from '../shared/kubernetes/api.js';
import type { VersionRow } from '../versions.js';
import { readHistory } from './plan.js';
import { describeRevision } from './revisions.js';
import type { KubernetesTarget } from './target.js';

/** One row per Deployment: the ReplicaSet revision it runs, the newest one before it, and when the live one was made. */
export async function kubernetesVersions(api: KubeApi, target: KubernetesTarget): Promise<VersionRow[]> {
  return Promise.all(
    target.deployments.map(async (name): Promise<VersionRow> => {
      const { history } = await readHistory(api, target.namespace, name);
      const live = history.current;
      const before = history.revisions.find((r) => r !== live && (!live || r.revision < live.revision));
      return {
        part: name,
        current: live ? describeRevision(live) : '—',
        ...(before ? { previous: describeRevision(before) } : {}),
        ...(live?.createdAt ? { changedAt: live.createdAt } : {}),
        ...(live ? {} : { note: 'the controller has not made a ReplicaSet for the current template yet' }),
      };
    }),
  );
}
