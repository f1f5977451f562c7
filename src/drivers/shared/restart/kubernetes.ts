import type { StepBase } from '../../driver.js';
import { clause } from '../../../domain/refusal.js';
import { StepFailed } from '../../errors.js';
import type { KubeApi } from '../kubernetes/api.js';
import { waitForRollout } from '../kubernetes/wait.js';
import type { KubernetesRestart } from './dependents.js';
import { pollSeconds, type RestartOptions } from './options.js';

/** The pod template annotation `kubectl rollout restart` sets; any change to it rolls every pod. */
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

function resumeHint(d: KubernetesRestart): string {
  return `resume it (kubectl rollout resume deployment/${d.deployment} -n ${d.namespace}), then retry`;
}

/** Why a Deployment cannot be restarted, read at plan time; undefined when it can. */
export async function deploymentProblem(api: KubeApi, d: KubernetesRestart): Promise<string | undefined> {
  try {
    const deployment = await api.readDeployment(d.namespace, d.deployment);
    return deployment.spec?.paused
      ? `deployment/${d.deployment} in ${d.namespace} is paused, so a restart would not roll its pods: ${resumeHint(d)}`
      : undefined;
  } catch (error) {
    if (error instanceof StepFailed && error.name === 'NotFound')
      return `there is no deployment/${d.deployment} in namespace ${d.namespace} (context ${api.context})`;
    throw error;
  }
}

/**
 * `kubectl rollout restart`, then `kubectl rollout status`. The restart time is checkpointed; a crash
 * between the patch and the checkpoint leaves a restartedAt from since this step first started,
 * which is adopted instead of restarting again. Only this rollback's clock writes and compares it.
 */
export async function restartDeployment(api: KubeApi, d: KubernetesRestart, ctx: StepBase, o: RestartOptions): Promise<Record<string, unknown>> {
  const restartedAt = await ctx.checkpoint('restartedAt', async () => {
    const deployment = await api.readDeployment(d.namespace, d.deployment);
    if (deployment.spec?.paused) {
      throw new StepFailed(
        'DeploymentPaused',
        `deployment/${d.deployment} in ${d.namespace} is paused, so it cannot be restarted ${o.story.purpose}.`,
        resumeHint(d),
      );
    }
    const earlier = deployment.spec?.template?.metadata?.annotations?.[RESTARTED_AT];
    if (earlier && Date.parse(earlier) >= ctx.firstStartedAt.getTime()) {
      ctx.log.info({ deployment: d.deployment, namespace: d.namespace, restartedAt: earlier }, 'Kubernetes restart from an earlier attempt adopted');
      return earlier;
    }
    // Milliseconds, unlike kubectl's seconds, so a restart just after this step started compares as later.
    const at = new Date().toISOString();
    await api.mergePatchDeployment(d.namespace, d.deployment, { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } });
    ctx.progress(`deployment/${d.deployment}: restarted at ${at}`);
    return at;
  });
  try {
    const status = await waitForRollout(api, {
      namespace: d.namespace,
      name: d.deployment,
      timeoutMs: o.timeoutMs,
      timeoutKey: o.timeoutKey,
      resyncMs: pollSeconds(o) * 1000,
      signal: ctx.signal,
      progress: (line) => ctx.progress(line),
      log: ctx.log,
      applied: `Rewind's restart (at ${restartedAt}) was applied`,
    });
    return { deployment: `${d.namespace}/${d.deployment}`, restartedAt, status };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    throw new StepFailed(
      error.code,
      `${clause(error.message)}. Pods that did not restart ${o.story.stale}.`,
      `${clause(o.story.check)}. ${error.hint}`,
      error.permanent,
    );
  }
}
