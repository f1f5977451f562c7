import { z } from 'zod';
import { formatDuration } from '../../../domain/duration.js';
import { text } from '../../../config/fields.js';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../kubernetes/names.js';

/**
 * What reads a secret and must restart to pick up its new value: an ECS service or a Kubernetes
 * Deployment. The catalog writes `{ ecs: {...} }` or `{ kubernetes: {...} }`; plans store the
 * tagged form (`kind`), which is also what the restart steps take.
 */

const ecsPlace = z.strictObject({
  cluster: text('the ECS cluster of a service that reads the secret, e.g. distrocv-prod'),
  service: text('the ECS service name, e.g. api'),
  /** Omitted: the target's region. */
  region: z.string().optional(),
});

const kubernetesPlace = z.strictObject({
  /** kubeconfig context; omitted → the kubeconfig's current context. */
  context: text('the kubeconfig context name (`kubectl config get-contexts`), e.g. prod-eu').optional(),
  namespace: z.string().regex(DNS_LABEL, { error: 'must be a Kubernetes namespace name such as production (lowercase letters, digits and dashes)' }),
  deployment: z
    .string()
    .regex(DNS_SUBDOMAIN, { error: 'is not a Deployment name: use the name `kubectl get deployments -n <namespace>` shows, e.g. skillancer-api' }),
});

/** A dependent as plans store it. */
export const restartTarget = z.discriminatedUnion('kind', [
  ecsPlace.extend({ kind: z.literal('ecs') }),
  kubernetesPlace.extend({ kind: z.literal('kubernetes') }),
]);
export type RestartTarget = z.infer<typeof restartTarget>;
export type KubernetesRestart = Extract<RestartTarget, { kind: 'kubernetes' }>;

const BOTH_OR_NEITHER = 'must name exactly one of ecs: { cluster, service } or kubernetes: { namespace, deployment }';

/** A catalog `dependents` entry: `{ ecs: { cluster, service, region? } }` or `{ kubernetes: { context?, namespace, deployment } }`. */
export const dependentEntry = z.strictObject({ ecs: ecsPlace.optional(), kubernetes: kubernetesPlace.optional() }).transform((entry, ctx): RestartTarget => {
  if (entry.ecs && !entry.kubernetes) return { kind: 'ecs', ...entry.ecs };
  if (entry.kubernetes && !entry.ecs) return { kind: 'kubernetes', ...entry.kubernetes };
  ctx.addIssue({ code: 'custom', message: BOTH_OR_NEITHER });
  return z.NEVER;
});

/** `ECS distrocv-prod/api` or `deployment/skillancer-api in production (context prod-eu)`: for cards and messages. */
export function dependentLabel(d: RestartTarget): string {
  if (d.kind === 'ecs') return `ECS ${d.cluster}/${d.service}${d.region ? ` (${d.region})` : ''}`;
  return `deployment/${d.deployment} in ${d.namespace}${d.context ? ` (context ${d.context})` : ''}`;
}

/** The card's title for one restart step. */
export function restartTitle(d: RestartTarget, timeoutMs: number): string {
  const upTo = `up to ${formatDuration(timeoutMs)}`;
  return d.kind === 'ecs'
    ? `Restart ${dependentLabel(d)} (force new deployment) and wait until every task is replaced (${upTo})`
    : `Restart ${dependentLabel(d)} (kubectl rollout restart) and wait for the rollout (${upTo})`;
}
