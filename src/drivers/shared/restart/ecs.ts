import { UpdateServiceCommand, type Deployment, type ECSClient } from '@aws-sdk/client-ecs';
import { createWaiter, WaiterState } from '@smithy/core/client';
import { formatDuration } from '../../../domain/duration.js';
import type { StepBase } from '../../driver.js';
import { fromAwsError, StepFailed } from '../../errors.js';
import { lookupService, type ServicePlace } from '../ecs/service.js';
import { pollSeconds, type RestartOptions } from './options.js';

const UPDATE_HINT = "check that Rewind's AWS role may call ecs:UpdateService and ecs:DescribeServices on this service, then retry";

interface Ours {
  id: string;
  createdAt: number;
}

/**
 * Every task must restart to read the changed secret: force a new deployment, then wait until it is
 * the only one and fully running. A later deployment (someone else's, or a circuit-breaker rollback)
 * also restarts every task after the change, so it counts too. The deployment is checkpointed, so a
 * repeat waits for it; a crash before the checkpoint leaves a deployment created since this step
 * first started, which is adopted.
 */
export async function restartEcsService(ecs: ECSClient, place: ServicePlace, ctx: StepBase, o: RestartOptions): Promise<Record<string, unknown>> {
  const name = `${place.cluster}/${place.service}`;
  const ours = await ctx.checkpoint('deployment', async () => {
    const lookup = await lookupService(ecs, place, ctx.signal);
    if (!lookup.found)
      throw new StepFailed(
        'ServiceGone',
        `${lookup.why}, so it cannot be restarted ${o.story.purpose}.`,
        'restart whatever now serves this app by hand, and fix dependents in the catalog',
      );
    const primary = lookup.service.deployments?.find((d) => d.status === 'PRIMARY');
    // No clock-skew allowance: a deployment from before this step may predate the change, and an
    // extra restart is harmless while a missed one leaves tasks on the old value.
    if (primary?.id && (primary.createdAt?.getTime() ?? 0) >= ctx.firstStartedAt.getTime()) {
      ctx.log.info({ service: name, deploymentId: primary.id }, 'ECS deployment from an earlier attempt adopted');
      return { id: primary.id, createdAt: primary.createdAt?.getTime() ?? ctx.firstStartedAt.getTime() };
    }
    let started: Deployment | undefined;
    try {
      const out = await ecs.send(new UpdateServiceCommand({ cluster: place.cluster, service: place.service, forceNewDeployment: true }), {
        abortSignal: ctx.signal,
      });
      started = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      throw fromAwsError(error, `UpdateService on ${name}`, UPDATE_HINT);
    }
    if (!started?.id)
      throw new StepFailed(
        'DeploymentMissing',
        `ECS accepted the forced deployment of ${name} but shows no PRIMARY deployment.`,
        'look at the service in the AWS console and retry',
        false,
      );
    ctx.progress(`${name}: new deployment ${started.id} started`);
    return { id: started.id, createdAt: started.createdAt?.getTime() ?? Date.now() };
  });
  return waitRestarted(ecs, place, ours, ctx, o);
}

type Assessment = { state: WaiterState; reason?: string; running?: number; desired?: number };

function assess(deployments: Deployment[], desired: number, ours: Ours): Assessment {
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const isOursOrLater = primary && (primary.id === ours.id || (primary.createdAt?.getTime() ?? 0) >= ours.createdAt);
  if (!primary || !isOursOrLater) return { state: WaiterState.RETRY };
  if (primary.rolloutState === 'FAILED') return { state: WaiterState.FAILURE, reason: primary.rolloutStateReason ?? 'the deployment failed' };
  const running = primary.runningCount ?? 0;
  if (deployments.length === 1 && running === desired && (primary.desiredCount ?? 0) === desired) return { state: WaiterState.SUCCESS, running, desired };
  return { state: WaiterState.RETRY, running, desired };
}

async function waitRestarted(ecs: ECSClient, place: ServicePlace, ours: Ours, ctx: StepBase, o: RestartOptions): Promise<Record<string, unknown>> {
  const name = `${place.cluster}/${place.service}`;
  const delay = pollSeconds(o);
  const maxWaitTime = Math.max(o.timeoutMs / 1000, 2 * delay);
  let last: Assessment = { state: WaiterState.RETRY };
  let lastLine = '';

  const check = async (): Promise<{ state: WaiterState; reason?: Assessment }> => {
    const lookup = await lookupService(ecs, place, ctx.signal);
    if (!lookup.found)
      throw new StepFailed('ServiceGone', `${lookup.why}, while Rewind waited for it to restart ${o.story.purpose}.`, 'find out who removed it');
    last = assess(lookup.service.deployments ?? [], lookup.service.desiredCount ?? 0, ours);
    const line = last.running === undefined ? '' : `${name}: ${last.running}/${last.desired} tasks restarted`;
    if (line && line !== lastLine) {
      lastLine = line;
      ctx.progress(line);
    }
    return { state: last.state, reason: last };
  };

  const result = await createWaiter({ client: ecs, abortSignal: ctx.signal, minDelay: delay, maxDelay: delay, maxWaitTime }, undefined, check);
  if (result.state === WaiterState.SUCCESS) return { service: name, deploymentId: ours.id, runningCount: last.running, desiredCount: last.desired };
  if (result.state === WaiterState.ABORTED) ctx.signal.throwIfAborted();
  const events = `aws ecs describe-services --cluster ${place.cluster} --services ${place.service}${place.region ? ` --region ${place.region}` : ''} --query 'services[0].events[:10]'`;
  if (result.state === WaiterState.FAILURE) {
    throw new StepFailed(
      'RedeployFailed',
      `The restart of ${name} ${o.story.purpose} failed: ${last.reason}. Tasks that did not restart ${o.story.stale}.`,
      `read the service events (${events}); ${o.story.check}, then retry`,
    );
  }
  throw new StepFailed(
    'RedeployTimeout',
    `${name} did not finish restarting within ${formatDuration(o.timeoutMs)}${last.running === undefined ? '' : ` (${last.running}/${last.desired} tasks)`}. Tasks that did not restart ${o.story.stale}.`,
    `watch the service events (${events}); retrying the rollback waits for the same deployment`,
  );
}
