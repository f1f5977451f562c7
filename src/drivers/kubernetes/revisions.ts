import { createHash } from 'node:crypto';
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import type { JsonPatchOp } from '../shared/kubernetes/api.js';
import { REVISION_ANNOTATION, imagesOf, ownedReplicaSets, revisionOf, shortImage } from '../shared/kubernetes/revision.js';

/** Pure revision logic, mirroring kubectl's rollback helper (kubectl/pkg/polymorphichelpers/rollback.go). */

export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** The revisions a ReplicaSet held before an undo renumbered it (`1,3`), set by the Deployment controller. */
const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** kubectl's `annotationsToSkip`: kept from the Deployment on rollback, never copied from the ReplicaSet. */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** The wire JSON of a typed client object (Dates back to RFC 3339 strings). */
export function toWire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? {})) as T;
}

/** Like apimachinery's semantic equality: null, empty maps and empty lists count as absent. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.length ? items : undefined;
  }
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value === null ? undefined : value;
}

/** A pod template as the Deployment would carry it: the ReplicaSet's pod-template-hash label removed. */
export function withoutHashLabel(template: V1PodTemplateSpec | undefined): V1PodTemplateSpec {
  const copy = toWire(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/** Stable identity of a pod template ignoring pod-template-hash (kubectl's equalIgnoreHash, as a key). */
export function templateKey(template: V1PodTemplateSpec | undefined): string {
  const text = JSON.stringify(canonical(withoutHashLabel(template)) ?? {});
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function tagOf(image: string): string | undefined {
  const name = image.split('@')[0] ?? image;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}

/** `to 1.0.0-rc.5`, `to v1.0.0-rc.5`, `to web:1.0.0-rc.5` or the full image all name the same image. */
function imageMatches(image: string, version: string): boolean {
  const bare = (s: string) => s.replace(/^v(?=\d)/, '');
  const tag = tagOf(image);
  return image === version || shortImage(image) === version || (tag !== undefined && bare(tag) === bare(version));
}

/** One revision of a Deployment: one ReplicaSet it owns. */
export interface Revision {
  revision: number;
  replicaSet: string;
  templateKey: string;
  images: string[];
  changeCause?: string;
  createdAt?: string;
  /** The revision this template first had (an undo renumbers it): which of two templates was deployed first. */
  firstRevision: number;
}

export interface DeploymentHistory {
  name: string;
  paused: boolean;
  /** Key of the Deployment's own template. */
  templateKey: string;
  /** Newest first. */
  revisions: Revision[];
  /** The revision whose template the Deployment runs now, if the controller has made its ReplicaSet. */
  current?: Revision;
}

function earlierRevisions(rs: V1ReplicaSet): number[] {
  return (rs.metadata?.annotations?.[REVISION_HISTORY_ANNOTATION] ?? '')
    .split(',')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

export function deploymentHistory(deployment: V1Deployment, replicaSets: V1ReplicaSet[]): DeploymentHistory {
  const key = templateKey(deployment.spec?.template);
  const revisions: Revision[] = [];
  for (const rs of ownedReplicaSets(deployment, replicaSets)) {
    const revision = revisionOf(rs);
    if (revision === undefined) continue;
    const created = rs.metadata?.creationTimestamp as unknown;
    revisions.push({
      revision,
      replicaSet: rs.metadata?.name ?? '',
      templateKey: templateKey(rs.spec?.template),
      images: imagesOf(rs.spec?.template),
      changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION],
      firstRevision: Math.min(revision, ...earlierRevisions(rs)),
      createdAt: created instanceof Date ? created.toISOString() : typeof created === 'string' ? created : undefined,
    });
  }
  revisions.sort((a, b) => b.revision - a.revision);
  return {
    name: deployment.metadata?.name ?? '',
    paused: deployment.spec?.paused === true,
    templateKey: key,
    revisions,
    current: revisions.find((r) => r.templateKey === key),
  };
}

/** `revision 5 (web:1.0.0-rc.6)`. */
export function describeRevision(r: Pick<Revision, 'revision' | 'images'>): string {
  return `revision ${r.revision} (${r.images.map(shortImage).join(', ')})`;
}

function listRevisions(h: DeploymentHistory): string {
  return h.revisions.map((r) => `${r.revision}${r === h.current ? ' (current)' : ''}`).join(', ') || 'none';
}

export type TargetChoice =
  | { kind: 'rollback'; current: Revision; target: Revision }
  | { kind: 'skip'; current: Revision; target: Revision; reason: string }
  | { kind: 'refused'; reason: string };

/**
 * What `kubectl rollout undo [--to-revision=N]` would pick: the second-highest revision, or
 * exactly N. `version` may also be an image tag; then the newest revision running it.
 */
export function chooseTarget(h: DeploymentHistory, namespace: string, version?: string): TargetChoice {
  if (h.paused) {
    return {
      kind: 'refused',
      reason: `${h.name} is paused; resume it first: kubectl rollout resume deployment/${h.name} -n ${namespace}`,
    };
  }
  const { current } = h;
  if (!current || current !== h.revisions[0]) {
    return {
      kind: 'refused',
      reason: `${h.name} has a change the Deployment controller has not recorded as a revision yet; wait a few seconds and ask again`,
    };
  }
  let target: Revision | undefined;
  if (version === undefined) {
    target = h.revisions[1];
    if (!target) return { kind: 'refused', reason: `no rollout history found for deployment ${h.name}: revision ${current.revision} is its only revision` };
  } else if (/^\d+$/.test(version)) {
    target = h.revisions.find((r) => r.revision === Number(version));
    if (!target) return { kind: 'refused', reason: `revision ${version} not found for ${h.name}; it has revisions ${listRevisions(h)}` };
  } else {
    target = h.revisions.find((r) => r.images.some((image) => imageMatches(image, version)));
    if (!target) {
      const images = h.revisions.map((r) => `${r.revision}: ${r.images.map(shortImage).join(', ')}`).join('; ');
      return { kind: 'refused', reason: `no revision of ${h.name} runs ${version}; its revisions are ${images}` };
    }
  }
  if (target.templateKey === current.templateKey) {
    return { kind: 'skip', current, target, reason: `skipped rollback (current template already matches revision ${target.revision})` };
  }
  return { kind: 'rollback', current, target };
}

/**
 * kubectl's rollback patch: the target ReplicaSet's template without pod-template-hash, and the
 * Deployment's annotations from `ANNOTATIONS_TO_SKIP` plus every other annotation of the ReplicaSet.
 */
export function rollbackPatch(deployment: V1Deployment, target: V1ReplicaSet): JsonPatchOp[] {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata?.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  }
  for (const [k, v] of Object.entries(target.metadata?.annotations ?? {})) {
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  }
  return [
    { op: 'replace', path: '/spec/template', value: withoutHashLabel(target.spec?.template) },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}
