import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DriverInstance } from '../driver.js';
import { dependentOfStep, restartDependent, type RestartClients } from '../shared/restart/restart.js';
import { driftSecret } from './drift.js';
import { planSecret } from './plan.js';
import { RESTART_STEP, ROTATE_STEP, type SecretPlanData } from './plan-data.js';
import { replanSecret, secretNextSteps } from './replan.js';
import { rotate } from './rotate.js';
import type { SecretTarget } from './target.js';

export interface SecretDriverDeps {
  /** Clients for a region (undefined: the default chain's region). */
  secrets: (region?: string) => SecretsManagerClient;
  /** ECS and Kubernetes clients for restarting the dependents. */
  restart: RestartClients;
  /** Floor for poll intervals in seconds (default 1) so a catalog typo cannot hammer AWS. */
  minPollSec?: number;
}

/** The security-breach procedure: rotate a secret (`rotate`), then restart each reader (`restart-<n>`). */
export function createSecretDriver(deps: SecretDriverDeps): DriverInstance<SecretTarget, SecretPlanData> {
  const minPollSec = deps.minPollSec ?? 1;
  return {
    plan: (request, ctx) => planSecret({ secrets: deps.secrets(request.target.region), restart: deps.restart }, request, ctx),
    drift: (data, _target, ctx) => driftSecret(deps.secrets(data.region), data, ctx),
    steps: {
      [ROTATE_STEP]: (ctx) => rotate(deps.secrets(ctx.data.region), ctx, minPollSec),
      [RESTART_STEP]: (ctx) =>
        restartDependent(dependentOfStep(ctx.data.dependents, ctx.step.id), deps.restart, ctx, {
          timeoutMs: ctx.target.restartTimeout,
          timeoutKey: 'restartTimeout',
          pollMs: ctx.target.pollInterval,
          minPollSec,
          region: ctx.data.region,
          story: {
            purpose: `to load the new value of secret ${ctx.data.name}`,
            stale: 'still hold the old value',
            check: 'if they do not start, read their logs: the app may reject the new value',
          },
        }),
    },
    replan: replanSecret,
    nextSteps: secretNextSteps,
  };
}
