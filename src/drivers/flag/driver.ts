import type { AppConfigClient } from '@aws-sdk/client-appconfig';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { FlagTarget } from '../../config/targets/flag.js';
import type { DriverInstance } from '../driver.js';
import { StepFailed } from '../errors.js';
import { deployAppConfig, driftAppConfig, historyAppConfig, planAppConfig, DEPLOY_STEP } from './appconfig.js';
import { callHttp, planHttp, CALL_STEP } from './http.js';
import type { FlagPlanData } from './plan-data.js';
import { replanFlag } from './replan.js';
import { flagRequest } from './request.js';
import { driftSsm, historySsm, planSsm, putSsm, PUT_STEP } from './ssm.js';

export interface FlagDriverDeps {
  /** Clients for a region (undefined: the default chain's region). */
  ssm: (region?: string) => SSMClient;
  appconfig: (region?: string) => AppConfigClient;
  /** For `store: http`; default: the global fetch. */
  fetch?: typeof fetch;
  /** Where `tokenEnv` bearer tokens are read (process.env in production). */
  env: NodeJS.ProcessEnv;
  /** Floor for the AppConfig poll interval in seconds (default 1). */
  minPollSec?: number;
}

/** A plan whose step, data and catalog entry disagree on the store: made by another Rewind version or catalog. */
function wrongStore(store: string, stepId: string): StepFailed {
  return new StepFailed('UnknownStep', `The flag driver has no step "${stepId}" for store ${store}.`, 'ask for a new plan; this plan was made by another Rewind version or catalog');
}

/**
 * Feature flags from both runbooks: SSM Parameter Store, AppConfig deployments and a
 * flag service's HTTP admin API. `/rollback maintenance on|off` is a flag like any other.
 */
export function createFlagDriver(deps: FlagDriverDeps): DriverInstance<FlagTarget, FlagPlanData> {
  const minDelaySec = deps.minPollSec ?? 1;
  const fetchImpl = deps.fetch ?? fetch;
  return {
    async plan(request, ctx) {
      const req = flagRequest(request);
      const target = request.target;
      switch (target.store) {
        case 'ssm':
          return planSsm(deps.ssm(target.region), target, req, target.region, ctx.signal);
        case 'appconfig':
          return planAppConfig(deps.appconfig(target.region), target, req, target.region, ctx.signal);
        case 'http':
          return planHttp(target, req, deps.env);
      }
    },

    async drift(data, _target, ctx) {
      switch (data.store) {
        case 'ssm':
          return driftSsm(deps.ssm(data.region), data, ctx);
        case 'appconfig':
          return driftAppConfig(deps.appconfig(data.region), data, ctx);
        case 'http':
          return undefined;
      }
    },

    steps: {
      async [PUT_STEP](ctx) {
        if (ctx.data.store !== 'ssm') throw wrongStore(ctx.data.store, ctx.step.id);
        return putSsm(deps.ssm(ctx.data.region), ctx.data, ctx);
      },
      async [DEPLOY_STEP](ctx) {
        if (ctx.data.store !== 'appconfig' || ctx.target.store !== 'appconfig') throw wrongStore(ctx.data.store, ctx.step.id);
        return deployAppConfig(deps.appconfig(ctx.data.region), ctx.data, ctx, ctx.target, minDelaySec);
      },
      async [CALL_STEP](ctx) {
        if (ctx.data.store !== 'http' || ctx.target.store !== 'http') throw wrongStore(ctx.data.store, ctx.step.id);
        return callHttp(ctx.data, ctx, ctx.target, deps.env, fetchImpl);
      },
    },

    async history(target, ctx) {
      switch (target.store) {
        case 'ssm':
          return historySsm(deps.ssm(target.region), target, ctx.signal);
        case 'appconfig':
          return historyAppConfig(deps.appconfig(target.region), target, ctx.signal);
        case 'http':
          return [];
      }
    },

    replan: replanFlag,
    nextSteps: (rb) =>
      rb.options?.action
        ? `Then fix forward, or change the flag again with \`/rollback flag ${rb.service} on|off|revert ${rb.environment}\`.`
        : `Then fix forward, or revert the flag once more with \`${replanFlag(rb)}\`.`,
  };
}
