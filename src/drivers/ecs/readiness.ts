import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ReadinessContext, ReadinessItem } from '../readiness.js';
import { lookupService, type ServicePlace } from '../shared/ecs/service.js';
import { successfulDeployments } from './history.js';
import { parseTaskDefinitionArn, revisionLabel } from './names.js';
import type { EcsTarget } from './target.js';
import { describeTaskDefinition, previousActiveRevision } from './task-definitions.js';

const KEEP_ACTIVE =
  'Keep the previous revision ACTIVE (do not deregister task definitions on deploy), or register it again from its JSON with `aws ecs register-task-definition`.';

/**
 * DistroCV's "previous version still available" for ECS: the task definition `/rollback` would
 * pick (the last successful deployment before the current one, else the newest ACTIVE revision
 * below it) exists and is ACTIVE. A deregistered last deployment fails the item even when an older
 * revision is left: rolling back would then skip a release.
 */
export async function ecsReadiness(ecs: ECSClient, target: EcsTarget, ctx: ReadinessContext): Promise<ReadinessItem[]> {
  const place: ServicePlace = { cluster: target.cluster, service: target.service, region: target.region };
  const lookup = await lookupService(ecs, place, ctx.signal);
  if (!lookup.found) return [{ check: 'previous', ok: false, detail: lookup.why, fix: 'Check `cluster` and `service` in the Rewind catalog.' }];
  const current = lookup.service.taskDefinition ?? '';
  const ref = parseTaskDefinitionArn(current);
  if (!ref) return [{ check: 'previous', ok: false, detail: `${place.service} runs no task definition ECS can name (${current || 'none'})` }];
  const label = revisionLabel(current);
  const past = (await successfulDeployments(ecs, place, ctx.log, ctx.signal)).find((d) => d.taskDefinition !== current);
  if (past) {
    const td = await describeTaskDefinition(ecs, past.taskDefinition, ctx.signal);
    const pastLabel = revisionLabel(past.taskDefinition);
    if (td?.status === 'ACTIVE') return [{ check: 'previous', ok: true, detail: `${pastLabel} (the last deployment before ${label}) is ACTIVE` }];
    return [
      {
        check: 'previous',
        ok: false,
        detail: `${pastLabel}, the last deployment before ${label}, is ${td?.status ?? 'gone'}: ECS will not deploy it`,
        fix: KEEP_ACTIVE,
      },
    ];
  }
  const earlier = await previousActiveRevision(ecs, ref.family, ref.revision, ctx.signal);
  if (earlier) return [{ check: 'previous', ok: true, detail: `${revisionLabel(earlier)} is ACTIVE (no earlier deployment in the service history)` }];
  return [{ check: 'previous', ok: false, detail: `${ref.family} has no ACTIVE revision below ${label} and no earlier deployment`, fix: KEEP_ACTIVE }];
}
