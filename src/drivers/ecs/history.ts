import { DescribeServiceRevisionsCommand, ListServiceDeploymentsCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from 'pino';
import type { ServicePlace } from '../shared/ecs/service.js';

/** A task definition the service ran to completion, from its deployment history. */
export interface PastDeployment {
  taskDefinition: string;
  finishedAt?: Date;
}

/** DescribeServiceRevisions takes at most 20 ARNs. */
const HISTORY_DEPTH = 20;

/**
 * Task definitions of the service's SUCCESSFUL deployments, newest first, without repeats.
 * Unlike the runbook's `deployments[1]`, this still knows the previous version once a rollout
 * has finished and only the PRIMARY deployment is left. History is a hint, not a requirement:
 * any error (no permission, services older than the API) yields [] and the caller falls back.
 */
export async function successfulDeployments(ecs: ECSClient, place: ServicePlace, log: Logger, signal?: AbortSignal): Promise<PastDeployment[]> {
  try {
    const list = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: place.cluster, service: place.service, status: ['SUCCESSFUL'], maxResults: HISTORY_DEPTH }),
      { abortSignal: signal },
    );
    // Stable sort: equal timestamps keep the API's newest-first order.
    const briefs = (list.serviceDeployments ?? [])
      .filter((d) => d.status === 'SUCCESSFUL' && d.targetServiceRevisionArn)
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
    if (briefs.length === 0) return [];
    const revisions = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: briefs.map((d) => d.targetServiceRevisionArn!) }), {
      abortSignal: signal,
    });
    const taskDefinitionOf = new Map((revisions.serviceRevisions ?? []).map((r) => [r.serviceRevisionArn, r.taskDefinition]));
    const seen = new Set<string>();
    const past: PastDeployment[] = [];
    for (const brief of briefs) {
      const taskDefinition = taskDefinitionOf.get(brief.targetServiceRevisionArn);
      if (!taskDefinition || seen.has(taskDefinition)) continue;
      seen.add(taskDefinition);
      past.push({ taskDefinition, finishedAt: brief.finishedAt });
    }
    return past;
  } catch (error) {
    if (signal?.aborted) throw error;
    log.warn(
      { err: error, cluster: place.cluster, service: place.service },
      'ECS deployment history unavailable (allow ecs:ListServiceDeployments and ecs:DescribeServiceRevisions to use it); falling back to the previous ACTIVE revision',
    );
    return [];
  }
}

const ROLLBACK_STATUSES = ['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'] as const;

/**
 * Why a deployment of `taskDefinition` started at/after `since` was rolled back, if it was.
 * Once a circuit-breaker rollback has finished, DescribeServices no longer shows the failed
 * deployment; the service deployment history still does. Undefined when unknown.
 */
export async function rollbackReason(
  ecs: ECSClient,
  place: ServicePlace,
  taskDefinition: string,
  since: Date,
  log: Logger,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const list = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: place.cluster, service: place.service, status: [...ROLLBACK_STATUSES], maxResults: HISTORY_DEPTH }),
      { abortSignal: signal },
    );
    const recent = (list.serviceDeployments ?? []).filter((d) => d.targetServiceRevisionArn && (d.createdAt?.getTime() ?? 0) >= since.getTime());
    if (recent.length === 0) return undefined;
    const revisions = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: recent.map((d) => d.targetServiceRevisionArn!) }), {
      abortSignal: signal,
    });
    const ours = new Set((revisions.serviceRevisions ?? []).filter((r) => r.taskDefinition === taskDefinition).map((r) => r.serviceRevisionArn));
    const rolledBack = recent.find((d) => ours.has(d.targetServiceRevisionArn));
    return rolledBack ? (rolledBack.statusReason ?? `service deployment ${rolledBack.status}`) : undefined;
  } catch (error) {
    if (signal?.aborted) throw error;
    log.warn({ err: error, cluster: place.cluster, service: place.service }, 'could not read the ECS deployment history to explain a replaced deployment');
    return undefined;
  }
}
