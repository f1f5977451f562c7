import type { KubeObject, OwnerReference } from './store.js';

/** Object shapes and helpers shared by the fake's controller and seeding. */

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const HASH_LABEL = 'pod-template-hash';

/** The Deployment controller never copies these from a Deployment onto its ReplicaSets. */
export const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

export const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? value.map(canonical) : undefined;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, canonical(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value ?? undefined;
}

/** A pod template as text, without the pod-template-hash label: equal text = same template. */
export function templateText(template: unknown): string {
  const copy = structuredClone(template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  if (copy.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
  return JSON.stringify(canonical(copy) ?? {});
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A 10-character hash of the template in the controller's "safe" alphabet (no vowels, no look-alikes). */
export function templateHash(template: unknown): string {
  const text = templateText(template);
  let n = (BigInt(fnv1a(text)) << 32n) | BigInt(fnv1a(`${text}#`));
  let out = '';
  while (out.length < 10) {
    out += SAFE_ALPHABET[Number(n % 27n)];
    n /= 27n;
  }
  return out;
}

export function randomSuffix(length = 5): string {
  return Array.from({ length }, () => SAFE_ALPHABET[Math.floor(Math.random() * SAFE_ALPHABET.length)]).join('');
}

export function controllerRef(owner: KubeObject, kind: string): OwnerReference {
  return { apiVersion: 'apps/v1', kind, name: owner.metadata.name, uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  return (object.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);
}

export function revisionOf(object: KubeObject): number {
  return Number(object.metadata.annotations?.[REVISION] ?? 0) || 0;
}

/** `web:1` for one container, or one image per container. */
export function podTemplate(labels: Record<string, string>, containerBase: string, images: string[]): unknown {
  return {
    metadata: { creationTimestamp: null, labels: { ...labels } },
    spec: {
      containers: images.map((image, i) => ({
        name: i === 0 ? containerBase : `${containerBase}-${i + 1}`,
        image,
        imagePullPolicy: 'IfNotPresent',
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        env: [{ name: 'NODE_ENV', value: 'production' }],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        readinessProbe: { httpGet: { path: '/health', port: 8080, scheme: 'HTTP' }, periodSeconds: 5 },
        livenessProbe: { exec: { command: ['/bin/true'] }, periodSeconds: 10 },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      })),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
    },
  };
}
