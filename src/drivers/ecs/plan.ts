import type { ECSClient, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Plan } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest } from '../driver.js';
import { PlanRefused } from '../errors.js';
import { describeChanges, mainContainer, taskDefinitionLabel } from './changes.js';
import { choosePrevious, currentOf, resolveRequested, type Current } from './choose-revision.js';
import { parseTaskDefinitionArn, revisionLabel } from './names.js';
import type { EcsPlanData } from './plan-data.js';
import { lookupService, type ServicePlace } from '../shared/ecs/service.js';
import type { EcsTarget } from './target.js';
import { describeTaskDefinition } from './task-definitions.js';

export const UPDATE_STEP = 'update-service';
export const WAIT_STEP = 'wait-stable';

function logGroupOf(td: TaskDefinition, serviceName: string): string | undefined {
  const options = mainContainer(td, serviceName)?.logConfiguration?.options;
  return options?.['awslogs-group'] ?? (td.family ? `/ecs/${td.family}` : undefined);
}

/** Card warnings about the live service that change what the rollback will do. */
function warningsFor(service: Service, place: ServicePlace): string[] {
  const warnings: string[] = [];
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if ((service.deployments?.length ?? 0) > 1 || primary?.rolloutState === 'IN_PROGRESS') {
    const label = revisionLabel(primary?.taskDefinition ?? '');
    warnings.push(
      `A deployment of ${label} is still in progress on ${place.service} (${primary?.runningCount ?? 0}/${primary?.desiredCount ?? 0} tasks); the rollback replaces it.`,
    );
  }
  if (service.desiredCount === 0) warnings.push(`${place.service} has desiredCount 0: the rollback changes the task definition but starts no tasks.`);
  if (!service.deploymentConfiguration?.deploymentCircuitBreaker?.enable) {
    warnings.push(`${place.service} has no deployment circuit breaker: if the target revision crashes, ECS keeps retrying until Rewind stops waiting.`);
  }
  return warnings;
}

/**
 * The target is a later revision of the same family than the live one: the "rollback" would move
 * the service forward (often because someone already rolled it back by hand, so the last
 * successful deployment before it is the bad release). Approvers must see that.
 */
function forwardWarning(current: Current, targetArn: string, place: ServicePlace): string | undefined {
  const target = parseTaskDefinitionArn(targetArn);
  if (!target || target.family !== current.ref.family || target.revision <= current.ref.revision) return undefined;
  return (
    `${revisionLabel(targetArn)} is newer than the live ${revisionLabel(current.arn)}: this moves ${place.service} forward, not back ` +
    `(was it already rolled back by hand?). Reject it and ask with \`to <revision>\` unless that is intended.`
  );
}

/** Reads the service, picks the target task definition and fixes the two steps approvers approve. */
export async function planEcs(ecs: ECSClient, request: PlanRequest<EcsTarget>, ctx: DriverContext): Promise<Plan> {
  const { target } = request;
  const place: ServicePlace = { cluster: target.cluster, service: target.service, region: target.region };
  const lookup = await lookupService(ecs, place, ctx.signal);
  if (!lookup.found) {
    throw new PlanRefused(`${lookup.why}. Check cluster and service for ${request.service}/${request.environment} in the Rewind catalog.`);
  }
  const currentArn = lookup.service.taskDefinition ?? '';
  const currentTd = await describeTaskDefinition(ecs, currentArn, ctx.signal);
  const current = currentTd && currentOf(place, currentTd);
  if (!current)
    throw new PlanRefused(
      `ECS could not describe ${currentArn || 'the task definition'} that ${place.service} runs, so Rewind cannot plan a rollback from it.`,
    );

  const chosen = request.version ? await resolveRequested(ecs, request.version, current, ctx.signal) : await choosePrevious(ecs, current, ctx.log, ctx.signal);
  const targetTd = chosen.taskDefinition;
  const targetArn = targetTd.taskDefinitionArn!;
  const targetName = revisionLabel(targetArn);

  const data: EcsPlanData = {
    cluster: place.cluster,
    service: place.service,
    region: place.region,
    currentTaskDefinition: currentArn,
    targetTaskDefinition: targetArn,
    logGroup: logGroupOf(targetTd, place.service),
    catalogService: request.service,
    environment: request.environment,
    plannedAt: new Date().toISOString(),
    why: chosen.why,
  };
  const forward = forwardWarning(current, targetArn, place);
  const warnings = [...(forward ? [forward] : []), ...warningsFor(lookup.service, place)];
  return {
    driver: 'ecs',
    current: taskDefinitionLabel(currentTd, place.service),
    target: taskDefinitionLabel(targetTd, place.service),
    changes: [...describeChanges(currentTd, targetTd), ...(chosen.why ? [chosen.why] : [])],
    steps: [
      { id: UPDATE_STEP, title: `Update service ${place.service} to ${targetName} (force new deployment)`, driver: 'ecs' },
      { id: WAIT_STEP, title: `Wait until ${place.service} runs ${targetName} on all tasks`, driver: 'ecs' },
    ],
    fingerprint: currentArn,
    data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
    ...(warnings.length ? { warnings } : {}),
  };
}
