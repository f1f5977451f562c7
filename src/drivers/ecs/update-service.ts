import { UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { StepContext } from '../driver.js';
import { fromAwsError, StepFailed } from '../errors.js';
import { CLOCK_SKEW_MS } from './clock.js';
import { revisionLabel } from './names.js';
import { replanCommand, type EcsPlanData } from './plan-data.js';
import { lookupService } from '../shared/ecs/service.js';
import type { EcsTarget } from './target.js';

/** What to do when UpdateService is refused: a rejected request usually means the target changed since planning. */
function updateHint(error: unknown, data: EcsPlanData): string {
  const name = (error as Error | undefined)?.name;
  if (name === 'ClientException' || name === 'InvalidParameterException') {
    return `ECS rejected ${revisionLabel(data.targetTaskDefinition)} for ${data.service}; it may have been deregistered since planning. Ask for a new plan with ${replanCommand(data)}`;
  }
  return "check that Rewind's AWS role may call ecs:UpdateService on this service (and iam:PassRole for its task and execution roles), then retry";
}

async function startDeployment(ecs: ECSClient, data: EcsPlanData, ctx: StepContext<EcsTarget>): Promise<string> {
  const target = data.targetTaskDefinition;
  let deploymentId: string | undefined;
  try {
    const out = await ecs.send(new UpdateServiceCommand({ cluster: data.cluster, service: data.service, taskDefinition: target, forceNewDeployment: true }), {
      abortSignal: ctx.signal,
    });
    deploymentId = out.service?.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === target)?.id;
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw fromAwsError(error, 'UpdateService', updateHint(error, data));
  }
  if (!deploymentId) {
    throw new StepFailed(
      'DeploymentMissing',
      `ECS accepted UpdateService for ${data.service} but shows no PRIMARY deployment of ${revisionLabel(target)}.`,
      'look at the service in the AWS console (Deployments tab); retry the rollback if no deployment started',
      false,
    );
  }
  ctx.log.info({ cluster: data.cluster, service: data.service, deploymentId, taskDefinition: target }, 'ECS UpdateService started a deployment');
  return deploymentId;
}

/**
 * UpdateService to the target with forceNewDeployment, once: a repeat gets the checkpointed
 * deployment back. A crash between UpdateService and the checkpoint leaves a PRIMARY deployment of
 * the target created since this step first started; it is adopted instead of deploying twice.
 */
export async function updateService(ecs: ECSClient, data: EcsPlanData, ctx: StepContext<EcsTarget>): Promise<Record<string, unknown>> {
  const target = data.targetTaskDefinition;
  let adopted = true;
  const deploymentId = await ctx.checkpoint('deploymentId', async () => {
    const lookup = await lookupService(ecs, data, ctx.signal);
    if (!lookup.found) {
      throw new StepFailed(
        'ServiceGone',
        `${lookup.why}, so Rewind cannot roll it back.`,
        `check the service in the AWS console, then ask for a new plan with ${replanCommand(data)}`,
      );
    }
    const primary = lookup.service.deployments?.find((d) => d.status === 'PRIMARY');
    const startedSince = (primary?.createdAt?.getTime() ?? 0) >= ctx.firstStartedAt.getTime() - CLOCK_SKEW_MS;
    if (primary?.id && primary.taskDefinition === target && startedSince) {
      ctx.log.info({ deploymentId: primary.id }, 'ECS deployment from an earlier attempt adopted');
      return primary.id;
    }
    adopted = false;
    return startDeployment(ecs, data, ctx);
  });
  return { deploymentId, taskDefinition: target, adopted };
}
