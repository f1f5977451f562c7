import type { ECSClient } from '@aws-sdk/client-ecs';
import type { DriverContext } from '../driver.js';
import { parseTaskDefinitionArn, revisionLabel } from './names.js';
import { replanCommand, type EcsPlanData } from './plan-data.js';
import { lookupService } from '../shared/ecs/service.js';

/**
 * What moved since planning, or undefined. The service may run the planned current revision, or
 * the target through a deployment started after planning (Rewind's own, seen again after a crash).
 */
export async function driftEcs(ecs: ECSClient, data: EcsPlanData, ctx: DriverContext): Promise<string | undefined> {
  const replan = `ask for a new plan with ${replanCommand(data)}`;
  const lookup = await lookupService(ecs, data, ctx.signal);
  if (!lookup.found) return `${lookup.why}; ${replan}`;

  const now = lookup.service.taskDefinition ?? '';
  if (now === data.currentTaskDefinition) return undefined;
  const plannedFrom = `:${parseTaskDefinitionArn(data.currentTaskDefinition)?.revision ?? data.currentTaskDefinition}`;
  if (now === data.targetTaskDefinition) {
    const primary = lookup.service.deployments?.find((d) => d.status === 'PRIMARY');
    const since = primary?.createdAt;
    if (since && since.getTime() >= Date.parse(data.plannedAt)) return undefined;
    return `${data.service} already runs ${revisionLabel(now)}, the rollback target (planned from ${plannedFrom})${since ? ` since ${since.toISOString()}` : ''}; ${replan}`;
  }
  return `${data.service} now runs ${revisionLabel(now)} (planned from ${plannedFrom}); ${replan}`;
}
