import { StepFailed } from '../errors.js';
import type { KubeApi } from '../shared/kubernetes/api.js';
import type { KubernetesPlanData, PlannedDeployment } from './plan-data.js';
import { imagesOf, revisionOf } from '../shared/kubernetes/revision.js';
import { describeRevision, templateKey } from './revisions.js';

/**
 * What moved on one Deployment since planning, or undefined. A Deployment already running the
 * target's template has not drifted: that is this rollback's own work seen again after a crash.
 */
async function driftOf(api: KubeApi, namespace: string, p: PlannedDeployment): Promise<string | undefined> {
  let deployment;
  try {
    deployment = await api.readDeployment(namespace, p.name);
  } catch (error) {
    if (error instanceof StepFailed && error.name === 'NotFound') return `${p.name} no longer exists in namespace ${namespace}`;
    throw error;
  }
  if (deployment.spec?.paused) return `${p.name} was paused (kubectl rollout pause) after the plan was made`;
  const key = templateKey(deployment.spec?.template);
  if (key === p.targetTemplate) return undefined;
  const revision = revisionOf(deployment);
  const images = imagesOf(deployment.spec?.template);
  const planned = describeRevision({ revision: p.currentRevision, images: p.currentImages });
  if (key !== p.currentTemplate) {
    return `${p.name} now runs ${revision === undefined ? images.join(', ') : describeRevision({ revision, images })}, not the planned ${planned}`;
  }
  if (revision !== undefined && revision !== p.currentRevision) {
    return `${p.name} was redeployed since the plan (revision ${p.currentRevision} → ${revision}, same template)`;
  }
  return undefined;
}

export async function driftSince(api: KubeApi, data: KubernetesPlanData): Promise<string | undefined> {
  const found = await Promise.all(data.deployments.map((p) => driftOf(api, data.namespace, p)));
  const moved = found.filter((s): s is string => s !== undefined);
  return moved.length ? `${moved.join('; ')}.` : undefined;
}
