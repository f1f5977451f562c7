import type { ECSClient } from '@aws-sdk/client-ecs';
import { createWaiter, WaiterState } from '@smithy/core/client';
import { formatDuration } from '../../domain/duration.js';
import type { StepContext } from '../driver.js';
import { StepFailed } from '../errors.js';
import { CLOCK_SKEW_MS } from './clock.js';
import { crashHint, eventsCommand } from './hints.js';
import { rollbackReason } from './history.js';
import { revisionLabel } from './names.js';
import { replanCommand, type EcsPlanData } from './plan-data.js';
import { assessRollout, progressLine, type Rollout } from './rollout-state.js';
import { lookupService } from '../shared/ecs/service.js';
import type { EcsTarget } from './target.js';

/**
 * Polls DescribeServices at a fixed interval (target.pollInterval, so completion is seen within
 * one interval) until the service runs the target on every task. Unlike `aws ecs wait
 * services-stable`, a circuit-breaker rollback or a failed rollout is a failure, not "stable".
 */
export async function waitStable(ecs: ECSClient, data: EcsPlanData, ctx: StepContext<EcsTarget>, minDelaySec: number): Promise<Record<string, unknown>> {
  const target = data.targetTaskDefinition;
  const label = revisionLabel(target);
  const delay = Math.max(ctx.target.pollInterval / 1000, minDelaySec);
  const maxWaitTime = Math.max(ctx.target.stableTimeout / 1000, 2 * delay);
  let last: Rollout | undefined;
  let lastProgress = '';

  const check = async (): Promise<{ state: WaiterState; reason?: Rollout }> => {
    let lookup;
    try {
      lookup = await lookupService(ecs, data, ctx.signal);
    } catch (error) {
      if (error instanceof StepFailed && !error.permanent) {
        ctx.log.warn({ err: error }, 'DescribeServices failed while waiting for the ECS service; polling again');
        return { state: WaiterState.RETRY };
      }
      throw error;
    }
    if (!lookup.found) {
      throw new StepFailed(
        'ServiceGone',
        `${lookup.why}, while Rewind waited for it to run ${label}.`,
        `find out who deleted the service (CloudTrail: DeleteService), then ask for a new plan with ${replanCommand(data)}`,
      );
    }
    last = assessRollout(lookup.service, target);
    const line = progressLine(last, label);
    if (line && line !== lastProgress) {
      lastProgress = line;
      ctx.progress(line);
    }
    if (last.state === 'stable') return { state: WaiterState.SUCCESS, reason: last };
    if (last.state === 'progress') return { state: WaiterState.RETRY, reason: last };
    if (last.state === 'replaced') {
      const since = new Date(ctx.firstStartedAt.getTime() - CLOCK_SKEW_MS);
      const reason = await rollbackReason(ecs, data, target, since, ctx.log, ctx.signal);
      if (reason) last = { state: 'rolledBack', now: last.now, reason };
    }
    return { state: WaiterState.FAILURE, reason: last };
  };

  const result = await createWaiter({ client: ecs, abortSignal: ctx.signal, minDelay: delay, maxDelay: delay, maxWaitTime }, undefined, check);
  if (result.state === WaiterState.SUCCESS && last?.state === 'stable') {
    return { taskDefinition: target, runningCount: last.running, desiredCount: last.desired };
  }
  if (result.state === WaiterState.ABORTED) {
    ctx.signal.throwIfAborted();
  }
  throw failureFor(data, last, result.state === WaiterState.TIMEOUT ? ctx.target.stableTimeout : undefined);
}

function failureFor(data: EcsPlanData, last: Rollout | undefined, timedOutAfter: number | undefined): StepFailed {
  const label = revisionLabel(data.targetTaskDefinition);
  const service = data.service;
  switch (last?.state) {
    case 'rolledBack':
      return new StepFailed(
        'CircuitBreakerRolledBack',
        `The ECS deployment circuit breaker stopped the rollout of ${label} on ${service} (${last.reason}) and put ${revisionLabel(last.now)} back. ${service} is not rolled back.`,
        crashHint(data),
      );
    case 'failed':
      return new StepFailed(
        'RolloutFailed',
        `The rollout of ${label} on ${service} failed (${last.reason}). No circuit breaker rollback happened, so ${service} may run a mix of old and new tasks (${last.running}/${last.desired} on ${label}).`,
        crashHint(data),
      );
    case 'replaced':
      return new StepFailed(
        'DeploymentReplaced',
        `While Rewind waited, ${service} moved to ${revisionLabel(last.now)} (someone else deployed, or the circuit breaker gave up on ${label}), so the rollback to ${label} did not stick.`,
        `Read what happened: ${eventsCommand(data)}; then ask for a new plan with ${replanCommand(data)}.`,
      );
    default: {
      const where = last && last.state === 'progress' ? `: ${last.running}/${last.desired} tasks run ${label}` : '';
      const after = timedOutAfter === undefined ? '' : ` within ${formatDuration(timedOutAfter)}`;
      return new StepFailed(
        'StabilityTimeout',
        `${service} did not reach a steady state on ${label}${after}${where}. ECS may still be deploying; Rewind stopped waiting.`,
        `Watch the service events: ${eventsCommand(data)}. If tasks keep stopping: ${crashHint(data)}`,
      );
    }
  }
}
