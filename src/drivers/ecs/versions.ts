import type { ECSClient } from '@aws-sdk/client-ecs';
import type { DriverContext } from '../driver.js';
import { lookupService, type ServicePlace } from '../shared/ecs/service.js';
import type { VersionRow } from '../versions.js';
import { taskDefinitionLabel } from './changes.js';
import { successfulDeployments } from './history.js';
import { revisionLabel } from './names.js';
import type { EcsTarget } from './target.js';
import { describeTaskDefinition } from './task-definitions.js';

/**
 * The service's task definition now, the one its last successful deployment before that ran, and
 * when the PRIMARY deployment started (the runbook's "Note current ECS task definition revision").
 */
export async function ecsVersions(ecs: ECSClient, target: EcsTarget, ctx: DriverContext): Promise<VersionRow[]> {
  const place: ServicePlace = { cluster: target.cluster, service: target.service, region: target.region };
  const lookup = await lookupService(ecs, place, ctx.signal);
  if (!lookup.found) throw new Error(`${lookup.why}; check cluster and service in the Rewind catalog.`);
  const current = lookup.service.taskDefinition ?? '';
  const primary = lookup.service.deployments?.find((d) => d.status === 'PRIMARY');
  const previous = (await successfulDeployments(ecs, place, ctx.log, ctx.signal)).find((d) => d.taskDefinition !== current)?.taskDefinition;
  const label = async (arn: string) => {
    const td = await describeTaskDefinition(ecs, arn, ctx.signal);
    return td ? taskDefinitionLabel(td, target.service) : revisionLabel(arn);
  };
  const [now, before] = await Promise.all([label(current), previous ? label(previous) : undefined]);
  const rolling = lookup.service.deployments?.some((d) => d.status === 'ACTIVE') ? 'a deployment is still replacing tasks' : undefined;
  return [
    {
      current: now,
      ...(before ? { previous: before } : {}),
      ...(primary?.createdAt ? { changedAt: primary.createdAt.toISOString() } : {}),
      ...(rolling ? { note: rolling } : {}),
    },
  ];
}
