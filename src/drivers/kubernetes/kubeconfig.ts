import { KubeConfig } from '@kubernetes/client-node';
import { StepFailed } from '../errors.js';
import type { KubernetesTarget } from './target.js';

/**
 * For the composition root: a `kubeConfigFor` reading Kubernetes' own chain (KUBECONFIG,
 * ~/.kube/config, else in-cluster), switched to the target's `context`, or the pod's service
 * account when the target says `inCluster: true`.
 */
export function kubeConfigFromEnvironment(): (target: KubernetesTarget) => KubeConfig {
  return (target) => {
    const kc = new KubeConfig();
    if (target.inCluster) {
      kc.loadFromCluster();
      return kc;
    }
    kc.loadFromDefault();
    if (target.context) {
      if (!kc.getContextObject(target.context)) {
        const known = kc.getContexts().map((c) => c.name);
        throw new StepFailed(
          'UnknownKubeContext',
          `the kubeconfig Rewind reads has no context "${target.context}" (it has: ${known.join(', ') || 'none'})`,
          'Fix `context` for this service in the catalog, or point KUBECONFIG at a kubeconfig that has it.',
        );
      }
      kc.setCurrentContext(target.context);
    }
    return kc;
  };
}
