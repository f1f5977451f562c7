import type { ECSClient } from '@aws-sdk/client-ecs';
import type { DriverContext, HistoryEntry } from '../driver.js';
import { taskDefinitionLabel } from './changes.js';
import { successfulDeployments } from './history.js';
import { revisionLabel } from './names.js';
import { lookupService, type ServicePlace } from '../shared/ecs/service.js';
import type { EcsTarget } from './target.js';
import { describeTaskDefinition, newestActiveRevisions } from './task-definitions.js';

/** How many ACTIVE revisions the history lists; each one costs a DescribeTaskDefinition. */
const DEPTH = 20;

/**
 * `/rollback history` and the form's version select for an ECS service: the family's newest
 * ACTIVE revisions, newest first, each with its image tag and whether a recent deployment ran it.
 * The revision is `family:revision`, which `to <version>` accepts.
 */
export async function ecsHistory(ecs: ECSClient, target: EcsTarget, ctx: DriverContext): Promise<HistoryEntry[]> {
  const place: ServicePlace = { cluster: target.cluster, service: target.service, region: target.region };
  const lookup = await lookupService(ecs, place, ctx.signal);
  if (!lookup.found) throw new Error(`${lookup.why}; check cluster and service in the Rewind catalog.`);
  const current = lookup.service.taskDefinition ?? '';
  const family = revisionLabel(current).split(':')[0] ?? '';
  const [arns, deployed] = await Promise.all([newestActiveRevisions(ecs, family, DEPTH, ctx.signal), successfulDeployments(ecs, place, ctx.log, ctx.signal)]);
  const finished = new Map(deployed.map((d) => [d.taskDefinition, d.finishedAt]));
  const described = await Promise.all(arns.map((arn) => describeTaskDefinition(ecs, arn, ctx.signal)));
  return arns.map((arn, i) => {
    const td = described[i];
    const label = td ? taskDefinitionLabel(td, place.service) : revisionLabel(arn);
    const image = label
      .slice(revisionLabel(arn).length)
      .trim()
      .replace(/^\((.*)\)$/, '$1');
    const ran = finished.has(arn) ? 'deployed' : 'not in recent deployments';
    const at = finished.get(arn) ?? td?.registeredAt;
    return {
      revision: revisionLabel(arn),
      description: [image, ran].filter(Boolean).join(' · '),
      ...(at ? { createdAt: at.toISOString() } : {}),
      current: arn === current,
    };
  });
}
