import type { V1Deployment } from '@kubernetes/client-node';
import { formatDuration } from '../../domain/duration.js';
import type { Plan } from '../../domain/rollback.js';
import { AccessRefused, PlanRefused } from '../errors.js';
import type { KubeApi } from '../shared/kubernetes/api.js';
import { selectorString } from '../shared/kubernetes/selector.js';
import type { KubernetesPlanData, PlannedDeployment } from './plan-data.js';
import { chooseTarget, deploymentHistory, describeRevision, type DeploymentHistory } from './revisions.js';
import type { KubernetesTarget } from './target.js';

export async function readHistory(api: KubeApi, namespace: string, name: string): Promise<{ deployment: V1Deployment; history: DeploymentHistory }> {
  const deployment = await api.readDeployment(namespace, name);
  const replicaSets = await api.listReplicaSets(namespace, selectorString(deployment.spec?.selector));
  return { deployment, history: deploymentHistory(deployment, replicaSets) };
}

/** Versions that would have worked for every Deployment: offered back to the requester. */
function commonChoices(histories: DeploymentHistory[]): string[] {
  const sets = histories.map((h) => new Set(h.revisions.filter((r) => r !== h.current).map((r) => r.revision)));
  const [first, ...rest] = sets;
  return [...(first ?? [])].filter((r) => rest.every((s) => s.has(r))).map(String);
}

function joinNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export async function planRollback(api: KubeApi, target: KubernetesTarget, version: string | undefined): Promise<Plan> {
  const { namespace } = target;
  const histories = await Promise.all(target.deployments.map(async (name) => (await readHistory(api, namespace, name)).history));
  const choices = histories.map((h) => ({ h, choice: chooseTarget(h, namespace, version) }));

  const refused = choices.flatMap(({ choice }) => (choice.kind === 'refused' ? [choice.reason] : []));
  if (refused.length) throw new PlanRefused(refused.join('\n'), commonChoices(histories));

  const planned: PlannedDeployment[] = [];
  const changes: string[] = [];
  const warnings: string[] = [];
  for (const { h, choice } of choices) {
    if (choice.kind === 'refused') continue;
    const { current, target: goal } = choice;
    planned.push({
      name: h.name,
      currentRevision: current.revision,
      currentTemplate: current.templateKey,
      currentImages: current.images,
      targetRevision: goal.revision,
      targetReplicaSet: goal.replicaSet,
      targetTemplate: goal.templateKey,
      targetImages: goal.images,
      ...(choice.kind === 'skip' ? { skip: choice.reason } : {}),
    });
    if (choice.kind === 'skip') {
      changes.push(`${h.name}: ${choice.reason}`);
      continue;
    }
    changes.push(`${h.name}: ${describeRevision(current)} → ${describeRevision(goal)}`);
    const skipped = h.revisions.filter((r) => r.revision < current.revision && r.revision > goal.revision);
    if (skipped.length) {
      warnings.push(`${h.name} goes back past revision${skipped.length > 1 ? 's' : ''} ${skipped.map((r) => r.revision).join(', ')}, not just one rollout.`);
    }
    // After an undo the live template carries a new number but was first deployed earlier: "previous" is then the newer release.
    if (goal.firstRevision > current.firstRevision) {
      warnings.push(
        `${h.name}: ${describeRevision(goal)} was first deployed after the live template (first revision ${current.firstRevision}): this moves ${h.name} forward, not back ` +
          `(was it already rolled back?). Reject it and ask with \`to <revision>\` unless that is intended.`,
      );
    }
  }
  if (planned.every((p) => p.skip)) {
    throw new PlanRefused(`Nothing to roll back in namespace ${namespace}: ${planned.map((p) => `${p.name}: ${p.skip}`).join('; ')}`, commonChoices(histories));
  }

  const toPatch = planned.filter((p) => !p.skip);
  // Refuse now rather than after the card and approvals: a read-only identity would fail at the patch.
  if ((await api.canI(namespace, 'patch', 'deployments', 'apps')) === false) {
    throw new AccessRefused(
      `Rewind's Kubernetes identity may read but not patch deployments.apps in namespace ${namespace} (context ${api.context}), so it cannot roll back ${joinNames(toPatch.map((p) => p.name))}`,
      `Grant it the verb "patch" on deployments (apiGroups: ["apps"]) in namespace ${namespace}: the Role in docs/drivers/kubernetes.md (deployments: get, list, watch, patch; replicasets: list; pods: list), bound to Rewind's service account or user.`,
    );
  }
  const data: KubernetesPlanData = { context: api.context, namespace, deployments: planned };
  const from = (p: PlannedDeployment) => `${p.name} ${describeRevision({ revision: p.currentRevision, images: p.currentImages })}`;
  const to = (p: PlannedDeployment) => `${p.name} ${describeRevision({ revision: p.targetRevision, images: p.targetImages })}`;
  return {
    driver: 'kubernetes',
    current: planned.map(from).join('; '),
    target: planned.map((p) => (p.skip ? from(p) : to(p))).join('; '),
    changes,
    steps: [
      {
        id: 'rollout-undo',
        driver: 'kubernetes',
        title: `Roll back ${joinNames(toPatch.map((p) => `${p.name} to revision ${p.targetRevision}`))} in ${namespace} (kubectl rollout undo)`,
      },
      {
        id: 'rollout-status',
        driver: 'kubernetes',
        title: `Wait until ${joinNames(planned.map((p) => p.name))} ${planned.length > 1 ? 'are' : 'is'} rolled out with every pod available (kubectl rollout status, up to ${formatDuration(target.progressTimeout)})`,
      },
    ],
    fingerprint: `${api.context}/${namespace}:${planned.map((p) => `${p.name}@${p.currentRevision}#${p.currentTemplate}`).join(',')}`,
    data,
    ...(warnings.length ? { warnings } : {}),
  };
}
