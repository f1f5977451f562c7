import type { ECSClient } from '@aws-sdk/client-ecs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { StepBase } from '../../driver.js';
import { StepFailed } from '../../errors.js';
import type { KubeApi, KubeContext } from '../kubernetes/api.js';
import { lookupService } from '../ecs/service.js';
import type { RestartTarget } from './dependents.js';
import { restartEcsService } from './ecs.js';
import { deploymentProblem, restartDeployment } from './kubernetes.js';
import type { RestartOptions } from './options.js';

/** What restarting needs: ECS clients per region, and Kubernetes clients per context, made on first use. */
export interface RestartClients {
  ecs: (region?: string) => ECSClient;
  kube: (where: KubeContext) => Promise<KubeApi>;
}

/**
 * Kubernetes clients made on first use, so a catalog whose dependents are all ECS services never
 * loads @kubernetes/client-node; `kubeConfigFor` is the `kubeConfigFor` client, asked for then.
 */
export function lazyKubeApis(kubeConfigFor: () => Promise<(where: KubeContext) => KubeConfig>): RestartClients['kube'] {
  let apis: Promise<(where: KubeContext) => KubeApi> | undefined;
  return async (where) => {
    apis ??= Promise.all([import('../kubernetes/api.js'), kubeConfigFor()]).then(([{ kubeApis }, config]) => kubeApis(config));
    return (await apis)(where);
  };
}

/** Why a dependent cannot be restarted, read at plan time (DescribeServices, get deployment); undefined when it can. */
export async function dependentProblem(
  d: RestartTarget,
  clients: RestartClients,
  defaultRegion: string | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (d.kind === 'ecs') {
    const region = d.region ?? defaultRegion;
    const lookup = await lookupService(clients.ecs(region), { ...d, region }, signal);
    return lookup.found ? undefined : lookup.why;
  }
  return deploymentProblem(await clients.kube(d), d);
}

/** Restarts one dependent and waits until all of it runs again; safe to repeat (see each kind). */
export async function restartDependent(d: RestartTarget, clients: RestartClients, ctx: StepBase, o: RestartOptions): Promise<Record<string, unknown>> {
  if (d.kind === 'ecs') {
    const region = d.region ?? o.region;
    return restartEcsService(clients.ecs(region), { ...d, region }, ctx, o);
  }
  return restartDeployment(await clients.kube(d), d, ctx, o);
}

/** The dependent a `restart-<n>` step (1-based) restarts. */
export function dependentOfStep(dependents: readonly RestartTarget[], stepId: string): RestartTarget {
  const n = Number(stepId.slice(stepId.lastIndexOf('-') + 1));
  const d = Number.isInteger(n) ? dependents[n - 1] : undefined;
  if (!d)
    throw new StepFailed(
      'PlanDataMissing',
      `Step ${stepId} names no dependent of this plan.`,
      'ask for a new plan; this one was made by another Rewind version',
    );
  return d;
}
