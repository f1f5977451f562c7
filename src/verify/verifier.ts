import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { HealthCheckConfig } from '../config/fields.js';
import type { CheckConfig } from '../config/checks.js';
import { formatDuration } from '../domain/duration.js';
import type { StepBase } from '../drivers/driver.js';
import { StepFailed } from '../drivers/errors.js';
import { verificationHint } from './escalation.js';
import { checkLabel, runCheck } from './run-check.js';
import type { VerifyStepInput } from './steps.js';
import { pause } from './wait.js';

export interface VerifierDeps {
  fetch?: typeof fetch;
  /** A CloudWatch client for a region (the target's `region`, or the default chain's), made when a metric check first runs. */
  cloudwatch?: (region?: string) => Promise<CloudWatchClient>;
  /** The worker's environment, for smoke commands' env mappings. */
  env?: NodeJS.ProcessEnv;
  /** How far behind now a metric window ends (default 60 s). */
  metricLag?: number;
  now?: () => Date;
}

/** A verify step: any driver's target (its `health`, its `region`) and what that driver advises if a check fails. */
export interface VerifyContext extends StepBase {
  target: { health?: HealthCheckConfig; region?: string };
  /** The rolled-back driver's next step when the service is still unhealthy (its nextSteps). */
  next: string;
}

/** Runs the steps verifySteps() adds (driver `verify`) after any driver's own. */
export interface Verifier {
  run(ctx: VerifyContext): Promise<Record<string, unknown>>;
}

/** Reads the step input; also runs the older `{ check: 'http' }` health step from the target's `health`. */
function readInput(ctx: VerifyContext): VerifyStepInput {
  const input = (ctx.step.input ?? {}) as Omit<Partial<VerifyStepInput>, 'check'> & { check?: unknown };
  if (input.check === 'http') {
    if (!ctx.target.health)
      throw new StepFailed(
        'PlanDataMissing',
        'This health check step has no health URL any more.',
        'add `health` back to the catalog entry, or ask for a new plan',
      );
    return { service: '', environment: '', escalation: [], ...input, check: { type: 'http', ...ctx.target.health } };
  }
  if (!input.check && input.settle === undefined) {
    throw new StepFailed('PlanDataMissing', `Verify step ${ctx.step.id} names no check.`, 'ask for a new plan; this one was made by another Rewind version');
  }
  return { service: '', environment: '', escalation: [], ...input } as VerifyStepInput;
}

/**
 * One check per step, each result posted; a failed check fails the rollback as VerificationFailed,
 * naming the catalog's escalation roles and the driver's next step.
 */
export function createVerifier(deps: VerifierDeps = {}): Verifier {
  const now = deps.now ?? (() => new Date());
  const { cloudwatch } = deps;
  return {
    async run(ctx) {
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
        cloudwatch: cloudwatch && (() => cloudwatch(ctx.target.region)),
        env: deps.env,
        progress: ctx.progress,
        now,
        metricLag: deps.metricLag,
      });
      if (!result.ok) {
        throw new StepFailed(
          'VerificationFailed',
          `Verification failed: ${checkLabel(check)}: ${result.summary}`,
          verificationHint(input, check, ctx.plan, ctx.next),
        );
      }
      ctx.progress(result.summary);
      return { check: checkLabel(check), ok: true, summary: result.summary };
    },
  };
}
