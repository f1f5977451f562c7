import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';

/** How the Deployment controller labels revisions, shared by the rollback driver and the rollout wait. */

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export function revisionOf(object: { metadata?: { annotations?: Record<string, string> } }): number | undefined {
  const text = object.metadata?.annotations?.[REVISION_ANNOTATION];
  if (!text || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

export function imagesOf(template: V1PodTemplateSpec | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => c.image ?? '(no image)');
}

/** `registry.example.com/skillancer/web:1.0.0-rc.6` → `web:1.0.0-rc.6`: short enough for a card. */
export function shortImage(image: string): string {
  const [name = image, digest] = image.split('@');
  const last = name.slice(name.lastIndexOf('/') + 1);
  return digest ? `${last}@${digest.slice(0, 19)}` : last;
}

/** ReplicaSets whose controller owner reference is this Deployment (the label selector alone may match strays). */
export function ownedReplicaSets(deployment: V1Deployment, replicaSets: V1ReplicaSet[]): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  return replicaSets.filter((rs) => rs.metadata?.ownerReferences?.some((ref) => ref.controller && ref.uid === uid));
}
