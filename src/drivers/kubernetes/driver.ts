import type { KubeConfig } from '@kubernetes/client-node';
import type { DriverInstance } from '../driver.js';
import { serviceCommand } from '../replan.js';
import { kubeApis, type KubeContext } from '../shared/kubernetes/api.js';
import { driftSince } from './drift.js';
import { listHistory } from './history.js';
import { planRollback } from './plan.js';
import type { KubernetesPlanData } from './plan-data.js';
import { kubernetesReadiness } from './readiness.js';
import { runStatus, runUndo } from './steps.js';
import type { KubernetesTarget } from './target.js';
import { kubernetesVersions } from './versions.js';

export interface KubernetesDriverDeps {
  /** Builds the client config for a target (its context, or in-cluster); called once per context. */
  kubeConfigFor: (where: KubeContext) => KubeConfig;
}

/**
 * `driver: kubernetes`: `kubectl rollout undo` for one or more Deployments in parallel, then
 * `kubectl rollout status` for all of them. Steps: `rollout-undo`, `rollout-status`; both safe to repeat.
 */
export function createKubernetesDriver(deps: KubernetesDriverDeps): DriverInstance<KubernetesTarget, KubernetesPlanData> {
  const apiFor = kubeApis(deps.kubeConfigFor);

  return {
    plan: (request) => planRollback(apiFor(request.target), request.target, request.version),
    drift: (data, target) => driftSince(apiFor(target), data),
    history: (target) => listHistory(apiFor(target), target),
    versions: (target) => kubernetesVersions(apiFor(target), target),
    readiness: (target, ctx) => kubernetesReadiness(apiFor(target), target, ctx),
    steps: {
      'rollout-undo': (ctx) => runUndo(apiFor(ctx.target), ctx.data, ctx),
      'rollout-status': (ctx) => runStatus(apiFor(ctx.target), ctx.data, ctx),
    },
    replan: serviceCommand,
  };
}
