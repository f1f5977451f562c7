import { z } from 'zod';
import { duration, targetBase, text } from '../../config/fields.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const deploymentName = z.string().regex(DNS_SUBDOMAIN, {
  error: 'is not a Deployment name: use the name `kubectl get deployments -n <namespace>` shows, e.g. skillancer-web',
});

/**
 * `driver: kubernetes`: one or more Deployments in one namespace, rolled back together
 * (the Skillancer "Application Rollback (Kubernetes)" runbook).
 */
export const kubernetesTarget = z
  .strictObject({
    driver: z.literal('kubernetes'),
    /** kubeconfig context; omitted → the kubeconfig's current context. */
    context: text('the kubeconfig context name (`kubectl config get-contexts`), e.g. prod-eu').optional(),
    /** Use the pod's service account instead of a kubeconfig (Rewind running inside the cluster). */
    inCluster: z.boolean().default(false),
    namespace: z.string().regex(DNS_LABEL, {
      error: 'must be a Kubernetes namespace name such as production (lowercase letters, digits and dashes)',
    }),
    deployments: z
      .array(deploymentName)
      .min(1, { error: 'must list at least one Deployment, e.g. [skillancer-web, skillancer-api]' })
      .refine((names) => new Set(names).size === names.length, { error: 'lists a Deployment twice: remove the duplicate' }),
    progressTimeout: duration('how long to wait for the rollout, like `kubectl rollout status --timeout`').default(10 * 60_000),
    resyncInterval: duration('how often to re-read the Deployments while watching, as a safety net').default(10_000),
    ...targetBase,
  })
  .refine((target) => !(target.inCluster && target.context), {
    path: ['context'],
    error: 'cannot be combined with `inCluster: true`: in-cluster config has no contexts; remove one of them',
  });
export type KubernetesTarget = z.infer<typeof kubernetesTarget>;
