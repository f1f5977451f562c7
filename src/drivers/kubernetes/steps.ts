import { StepFailed } from '../errors.js';
import { LIVE_TARGET, type StepContext } from '../driver.js';
import type { KubeApi } from '../shared/kubernetes/api.js';
import { selectorString } from '../shared/kubernetes/selector.js';
import { waitForRollout } from '../shared/kubernetes/wait.js';
import type { KubernetesPlanData, PlannedDeployment } from './plan-data.js';
import { imagesOf, ownedReplicaSets, revisionOf } from '../shared/kubernetes/revision.js';
import { describeRevision, rollbackPatch, templateKey } from './revisions.js';
import type { KubernetesTarget } from './target.js';

type Ctx = StepContext<KubernetesTarget>;

const target = (p: PlannedDeployment) => describeRevision({ revision: p.targetRevision, images: p.targetImages });

/**
 * `kubectl rollout undo` for one Deployment, safe to repeat: a Deployment already running the
 * target's template is left alone (no new revision), one that moved elsewhere is refused.
 */
async function undoOne(api: KubeApi, namespace: string, p: PlannedDeployment, ctx: Ctx): Promise<string> {
  if (p.skip) return p.skip;
  const deployment = await api.readDeployment(namespace, p.name);
  if (deployment.spec?.paused) {
    throw new StepFailed(
      'DeploymentPaused',
      `${p.name} was paused after the plan was made, and a paused Deployment cannot be rolled back`,
      `Resume it (kubectl rollout resume deployment/${p.name} -n ${namespace}), then run /rollback again.`,
    );
  }
  const now = templateKey(deployment.spec?.template);
  if (now === p.targetTemplate) return `already runs ${target(p)}; not patched again`;
  if (now !== p.currentTemplate) {
    throw new StepFailed(
      'PlanDrift',
      `${p.name} changed after the plan was approved: it no longer runs revision ${p.currentRevision}, so Rewind did not touch it`,
      'Run /rollback again to plan from its current state.',
    );
  }
  const replicaSets = ownedReplicaSets(deployment, await api.listReplicaSets(namespace, selectorString(deployment.spec?.selector)));
  const matching = replicaSets.filter((rs) => templateKey(rs.spec?.template) === p.targetTemplate);
  const replicaSet = matching.find((rs) => rs.metadata?.name === p.targetReplicaSet) ?? matching[0];
  if (!replicaSet) {
    throw new StepFailed(
      'RevisionGone',
      `${p.name}: ${target(p)} no longer exists (its ReplicaSet ${p.targetReplicaSet} was deleted, e.g. by revisionHistoryLimit)`,
      `List what is left with /rollback history, then ask for one of those revisions.`,
    );
  }
  await api.patchDeployment(namespace, p.name, rollbackPatch(deployment, replicaSet));
  ctx.log.info({ deployment: p.name, namespace, revision: p.targetRevision, replicaSet: replicaSet.metadata?.name }, 'rolled back deployment');
  return `rolled back to ${target(p)}`;
}

type Outcome = { name: string; ok: true; value: string } | { name: string; ok: false; error: StepFailed };

function asStepFailed(error: unknown): StepFailed {
  if (error instanceof StepFailed) return error;
  return new StepFailed('Error', error instanceof Error ? error.message : String(error), 'See the worker logs for details.', false);
}

function settle(name: string, work: Promise<string>): Promise<Outcome> {
  return work.then(
    (value) => ({ name, ok: true, value }),
    (error: unknown) => ({ name, ok: false, error: asStepFailed(error) }),
  );
}

/** The step's output, or one StepFailed saying which Deployments failed and what happened to the others. */
function conclude(outcomes: Outcome[], verb: string): Record<string, unknown> {
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o]));
  const [first] = failures;
  if (!first) return { deployments: Object.fromEntries(outcomes.map((o) => [o.name, o.ok ? o.value : ''])) };
  const others = outcomes.flatMap((o) => (o.ok ? [`${o.name}: ${o.value}`] : []));
  const message = [
    `${failures.map((f) => f.name).join(' and ')} failed to ${verb}: ${failures.map((f) => f.error.message).join('; ')}`,
    ...(others.length ? [`Meanwhile ${others.join('; ')}`] : []),
  ].join('. ');
  const code = failures.every((f) => f.error.name === first.error.name) ? first.error.name : 'RollbackFailed';
  throw new StepFailed(
    code,
    message,
    first.error.hint,
    failures.some((f) => f.error.permanent),
  );
}

/** Patches every Deployment in parallel; a failure on one never stops the others. */
export async function runUndo(api: KubeApi, data: KubernetesPlanData, ctx: Ctx): Promise<Record<string, unknown>> {
  const outcomes = await Promise.all(data.deployments.map((p) => settle(p.name, undoOne(api, data.namespace, p, ctx))));
  return conclude(outcomes, 'roll back');
}

/** Why a wait was stopped: another Deployment of the same rollback already failed. */
const STOPPED = new StepFailed('Stopped', 'still rolling out when Rewind stopped waiting', '');

/** Waits for every Deployment in parallel; the first failure stops the other waits and fails the step. */
export async function runStatus(api: KubeApi, data: KubernetesPlanData, ctx: Ctx): Promise<Record<string, unknown>> {
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const outcomes = await Promise.all(
    data.deployments.map(async (p) => {
      const outcome = await settle(
        p.name,
        waitForRollout(api, {
          namespace: data.namespace,
          name: p.name,
          timeoutMs: ctx.target.progressTimeout,
          timeoutKey: 'progressTimeout',
          resyncMs: ctx.target.resyncInterval,
          signal,
          progress: (line) => ctx.progress(line),
          log: ctx.log,
          // The undo came before this step: a condition naming another ReplicaSet, written before we
          // started, is left from the rollout being undone (often itself past its deadline).
          fresh: { newReplicaSet: p.targetReplicaSet, since: ctx.firstStartedAt },
          applied: p.skip ? `Rewind did not patch it (it already ran ${target(p)})` : `Rewind's undo to ${target(p)} was applied`,
          failureHint:
            `Rewind rolled ${p.name} back to ${target(p)}, but its pods are not becoming ready either, so what still serves is whatever pods of either revision are ready. ` +
            'Fix the image or cluster capacity, or pick another revision with /rollback history, then plan again.',
        }),
      );
      if (!outcome.ok && outcome.error !== STOPPED) stop.abort(STOPPED);
      return outcome;
    }),
  );
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const output = conclude(
    outcomes.map((o) => (!o.ok && o.error === STOPPED ? { name: o.name, ok: true, value: STOPPED.message } : o)),
    'roll out',
  );
  const live = await liveRevisions(api, data, ctx);
  return live ? { ...output, [LIVE_TARGET]: live } : output;
}

/**
 * Where the Deployments are now, as kubectl numbers them: an undo makes a new revision from the
 * target's template (revision 2 comes back as revision 4), so the plan's label is out of date.
 */
async function liveRevisions(api: KubeApi, data: KubernetesPlanData, ctx: Ctx): Promise<string | undefined> {
  try {
    const deployments = await Promise.all(data.deployments.map((p) => api.readDeployment(data.namespace, p.name)));
    return deployments
      .map((d, i) => {
        const revision = revisionOf(d);
        const name = data.deployments[i]?.name ?? '';
        return revision === undefined ? undefined : `${name} ${describeRevision({ revision, images: imagesOf(d.spec?.template) })}`;
      })
      .reduce<string[] | undefined>((all, one) => (all && one ? [...all, one] : undefined), [])
      ?.join('; ');
  } catch (error) {
    ctx.log.warn({ err: error }, 'could not read the live revisions after the rollout; the outcome names the planned ones');
    return undefined;
  }
}
