import type { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesTarget } from '../../config/targets/kubernetes.js';
import type { Plan } from '../../domain/rollback.js';
import type { Driver } from '../driver.js';
import { StepFailed } from '../errors.js';
import { kubeApi, type KubeApi } from './api.js';
import { driftSince } from './drift.js';
import { listHistory } from './history.js';
import { planRollback, type KubernetesPlanData } from './plan.js';
import { runStatus, runUndo } from './steps.js';

export interface KubernetesDriverDeps {
  /** Builds the client config for a target (its context, or in-cluster); called once per context. */
  kubeConfigFor: (target: KubernetesTarget) => KubeConfig;
}

/**
 * `driver: kubernetes`: `kubectl rollout undo` for one or more Deployments in parallel, then
 * `kubectl rollout status` for all of them. Steps: `rollout-undo`, `rollout-status`; both safe to repeat.
 */
export function createKubernetesDriver(deps: KubernetesDriverDeps): Driver<KubernetesTarget> {
  const apis = new Map<string, KubeApi>();
  const apiFor = (target: KubernetesTarget): KubeApi => {
    const key = target.inCluster ? 'in-cluster' : `context:${target.context ?? ''}`;
    let api = apis.get(key);
    if (!api) {
      api = kubeApi(deps.kubeConfigFor(target));
      apis.set(key, api);
    }
    return api;
  };
  const dataOf = (plan: Plan) => plan.data as unknown as KubernetesPlanData;

  return {
    kind: 'kubernetes',
    plan: (request) => planRollback(apiFor(request.target), request.target, request.version),
    drift: (plan, target) => driftSince(apiFor(target), dataOf(plan)),
    history: (target) => listHistory(apiFor(target), target),
    async runStep(ctx) {
      const api = apiFor(ctx.target);
      switch (ctx.step.id) {
        case 'rollout-undo':
          return runUndo(api, dataOf(ctx.plan), ctx);
        case 'rollout-status':
          return runStatus(api, dataOf(ctx.plan), ctx);
        default:
          throw new StepFailed('UnknownStep', `the kubernetes driver has no step "${ctx.step.id}"`, 'This plan was made by another Rewind version; plan the rollback again.');
      }
    },
  };
}
