import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { HealthCheckConfig } from '../config/fields.js';
import type { CheckConfig } from '../config/checks.js';
import { formatDuration } from '../domain/duration.js';
import type { Driver, StepContext } from '../drivers/driver.js';
import { StepFailed } from '../drivers/errors.js';
import { verificationHint } from './escalation.js';
import { checkLabel, runCheck } from './run-check.js';
import type { VerifyStepInput } from './steps.js';
import { pause } from './wait.js';

export interface VerifyDriverDeps {
  fetch?: typeof fetch;
  /** A CloudWatch client for a region (the target's `region`, or the default chain's). */
  cloudwatch?: (region?: string) => CloudWatchClient;
  /** The worker's environment, for smoke commands' env mappings. */
  env?: NodeJS.ProcessEnv;
  /** How far behind now a metric window ends (default 60 s). */
  metricLag?: number;
  now?: () => Date;
}

type AnyTarget = { health?: HealthCheckConfig; region?: string };

/** Reads the step input; also runs the older `{ check: 'http' }` health step from the target's `health`. */
function readInput(ctx: StepContext<AnyTarget>): VerifyStepInput {
  const input = (ctx.step.input ?? {}) as Omit<Partial<VerifyStepInput>, 'check'> & { check?: unknown };
  if (input.check === 'http') {
    if (!ctx.target.health) throw new StepFailed('PlanDataMissing', 'This health check step has no health URL any more.', 'add `health` back to the catalog entry, or ask for a new plan');
    return { service: '', environment: '', escalation: [], ...input, check: { type: 'http', ...ctx.target.health } };
  }
  if (!input.check && input.settle === undefined) {
    throw new StepFailed('PlanDataMissing', `Verify step ${ctx.step.id} names no check.`, 'ask for a new plan; this one was made by another Rewind version');
  }
  return { service: '', environment: '', escalation: [], ...input } as VerifyStepInput;
}

/**
 * Runs the steps verifySteps() adds (driver `verify`): one check per step, each result posted; a
 * failed check fails the rollback as VerificationFailed, naming the catalog's escalation roles.
 */
export function createVerifyDriver(deps: VerifyDriverDeps = {}): Driver<AnyTarget> {
  const now = deps.now ?? (() => new Date());
  return {
    kind: 'verify',
    plan: () => Promise.reject(new Error('verify steps are added by the executor (verifySteps), not requested')),
    drift: async () => undefined,
    async runStep(ctx) {
      const input = readInput(ctx);
      if (input.settle !== undefined) {
        // From the step's first start, so a worker restart does not wait all over again.
        const left = ctx.firstStartedAt.getTime() + input.settle - now().getTime();
        if (left > 0) {
          ctx.progress(`waiting ${formatDuration(left)} for post-rollback metrics`);
          await pause(left, ctx.signal);
        }
        return { settled: input.settle };
      }
      const check = input.check as CheckConfig;
      const result = await runCheck(check, {
        signal: ctx.signal,
        fetch: deps.fetch,
        cloudwatch: deps.cloudwatch?.(ctx.target.region),
        env: deps.env,
        progress: ctx.progress,
        now,
        metricLag: deps.metricLag,
      });
      if (!result.ok) {
        throw new StepFailed('VerificationFailed', `Verification failed: ${checkLabel(check)}: ${result.summary}`, verificationHint(input, check, ctx.plan));
      }
      ctx.progress(result.summary);
      return { check: checkLabel(check), ok: true, summary: result.summary };
    },
  };
}
