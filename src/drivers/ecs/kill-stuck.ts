import { UpdateServiceCommand, type DeploymentConfiguration, type ECSClient } from '@aws-sdk/client-ecs';
import type { Plan } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest, StepContext } from '../driver.js';
import { fromAwsError, PlanRefused, StepFailed } from '../errors.js';
import { lookupService, type ServicePlace } from '../shared/ecs/service.js';
import { CLOCK_SKEW_MS } from './clock.js';
import { revisionLabel } from './names.js';
import type { EcsPlanData } from './plan-data.js';
import type { EcsTarget } from './target.js';
import { waitStable } from './wait-stable.js';

export const FORCE_STEP = 'force-deployment';
export const WAIT_RESTORE_STEP = 'wait-restore';

/** The runbook's "Kill stuck deployment": every old task may stop at once, and no more tasks than desired run. */
const KILL: DeploymentConfiguration = { minimumHealthyPercent: 0, maximumPercent: 100 };

type Original = NonNullable<EcsPlanData['killStuck']>['original'];

function percents(c: Original | DeploymentConfiguration): string {
  return `minimumHealthyPercent=${c.minimumHealthyPercent ?? 100},maximumPercent=${c.maximumPercent ?? 200}`;
}

/** The command that puts the configuration back by hand, when Rewind could not. */
function restoreCommand(data: EcsPlanData, original: Original): string {
  return `aws ecs update-service --cluster ${data.cluster} --service ${data.service}${data.region ? ` --region ${data.region}` : ''} --deployment-configuration "${percents(original)}"`;
}

/**
 * The plan for `/rollback kill-stuck RB-n`: force a new deployment of what the service runs now
 * with minimumHealthyPercent 0 and maximumPercent 100, wait, then restore the service's own
 * deployment configuration. Read at plan time, so approvers see the values that come back.
 */
export async function planKillStuck(ecs: ECSClient, request: PlanRequest<EcsTarget>, of: string, ctx: DriverContext): Promise<Plan> {
  const { target } = request;
  const place: ServicePlace = { cluster: target.cluster, service: target.service, region: target.region };
  const lookup = await lookupService(ecs, place, ctx.signal);
  if (!lookup.found) throw new PlanRefused(`${lookup.why}. Check cluster and service for ${request.service}/${request.environment} in the Rewind catalog.`);
  const service = lookup.service;
  const arn = service.taskDefinition ?? '';
  const label = revisionLabel(arn);
  const original = JSON.parse(JSON.stringify(service.deploymentConfiguration ?? {})) as Original;
  if (original.minimumHealthyPercent === 0) {
    throw new PlanRefused(
      `${place.service} already runs with minimumHealthyPercent 0 (${percents(original)}): forcing another deployment would not unstick it. Read why tasks do not start: aws ecs describe-services --cluster ${place.cluster} --services ${place.service} --query 'services[0].events[:10]'`,
    );
  }
  const running = service.runningCount ?? 0;
  const desired = service.desiredCount ?? 0;
  const data: EcsPlanData = {
    cluster: place.cluster,
    service: place.service,
    region: place.region,
    currentTaskDefinition: arn,
    targetTaskDefinition: arn,
    catalogService: request.service,
    environment: request.environment,
    plannedAt: new Date().toISOString(),
    killStuck: { of, original },
  };
  return {
    driver: 'ecs',
    current: `${label}, deployment stuck (${running}/${desired} tasks running)`,
    target: `${label} on ${desired} fresh tasks`,
    changes: [
      `Kill the stuck deployment of ${place.service} (${of}): stop all ${running} running tasks at once, start ${desired} new tasks of ${label}`,
      `Deployment configuration: ${percents(original)} → ${percents(KILL)} for this deployment, then back to ${percents(original)}`,
    ],
    steps: [
      { id: FORCE_STEP, title: `Update service ${place.service} with ${percents(KILL)} (force new deployment of ${label})`, driver: 'ecs' },
      {
        id: WAIT_RESTORE_STEP,
        title: `Wait until ${place.service} runs ${label} on all tasks, then restore ${percents(original)} (restored even if the wait fails)`,
        driver: 'ecs',
      },
    ],
    fingerprint: `${arn}:kill-stuck:${of}`,
    data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
    warnings: [`Downtime: all tasks of ${place.service} stop at once. ${place.service} serves nothing until the new tasks pass their health checks.`],
  };
}

function killStuckOf(data: EcsPlanData): NonNullable<EcsPlanData['killStuck']> {
  if (!data.killStuck) throw new StepFailed('UnknownStep', `This plan of ${data.service} is not a forced deployment.`, 'ask for a new plan', true);
  return data.killStuck;
}

/** UpdateService with the killing configuration and forceNewDeployment, once: a repeat gets the checkpointed deployment back. */
export async function forceDeployment(ecs: ECSClient, data: EcsPlanData, ctx: StepContext<EcsTarget>): Promise<Record<string, unknown>> {
  const { original } = killStuckOf(data);
  const deploymentId = await ctx.checkpoint('deploymentId', async () => {
    // A crash between UpdateService and the checkpoint left a deployment started since this step began: adopt it.
    const lookup = await lookupService(ecs, data, ctx.signal);
    const primary = lookup.found ? lookup.service.deployments?.find((d) => d.status === 'PRIMARY') : undefined;
    const minimum = lookup.found ? lookup.service.deploymentConfiguration?.minimumHealthyPercent : undefined;
    if (primary?.id && minimum === 0 && (primary.createdAt?.getTime() ?? 0) >= ctx.firstStartedAt.getTime() - CLOCK_SKEW_MS) return primary.id;
    const out = await ecs
      .send(
        new UpdateServiceCommand({
          cluster: data.cluster,
          service: data.service,
          deploymentConfiguration: { ...(original as DeploymentConfiguration), ...KILL },
          forceNewDeployment: true,
        }),
        { abortSignal: ctx.signal },
      )
      .catch((error: unknown) => {
        throw fromAwsError(error, 'UpdateService', "check that Rewind's AWS role may call ecs:UpdateService on this service, then retry");
      });
    const id = out.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
    if (!id)
      throw new StepFailed(
        'DeploymentMissing',
        `ECS accepted UpdateService for ${data.service} but shows no PRIMARY deployment.`,
        'look at the service in the AWS console',
        false,
      );
    return id;
  });
  ctx.progress(`${data.service}: forced deployment ${deploymentId} with ${percents(KILL)}; all old tasks stop`);
  return { deploymentId, deploymentConfiguration: percents(KILL) };
}

async function restore(ecs: ECSClient, data: EcsPlanData, original: Original, ctx: StepContext<EcsTarget>): Promise<void> {
  await ecs
    .send(new UpdateServiceCommand({ cluster: data.cluster, service: data.service, deploymentConfiguration: original as DeploymentConfiguration }), {
      abortSignal: ctx.signal,
    })
    .catch((error: unknown) => {
      throw fromAwsError(error, 'UpdateService (restore the deployment configuration)', `restore it by hand: ${restoreCommand(data, original)}`);
    });
  ctx.progress(`${data.service}: deployment configuration restored to ${percents(original)}`);
}

/**
 * Waits for the forced deployment like any ECS rollback, then restores the service's own deployment
 * configuration, whether the wait succeeded or failed. A worker shutting down restores nothing: the
 * step is repeated elsewhere and restores then.
 */
export async function waitAndRestore(ecs: ECSClient, data: EcsPlanData, ctx: StepContext<EcsTarget>, minDelaySec: number): Promise<Record<string, unknown>> {
  const { original } = killStuckOf(data);
  let stable: Record<string, unknown>;
  try {
    stable = await waitStable(ecs, data, ctx, minDelaySec);
  } catch (error) {
    if (ctx.signal.aborted || !(error instanceof StepFailed)) throw error;
    await restore(ecs, data, original, ctx).catch((restoreError: unknown) => {
      throw new StepFailed(
        error.code,
        `${error.message} Restoring the deployment configuration failed too: ${(restoreError as Error).message}`,
        restoreCommand(data, original),
      );
    });
    throw error;
  }
  await restore(ecs, data, original, ctx);
  return { ...stable, deploymentConfiguration: percents(original) };
}
