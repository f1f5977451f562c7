import type { AppConfigClient } from '@aws-sdk/client-appconfig';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { FlagTarget } from '../../config/targets/flag.js';
import type { Driver } from '../driver.js';
import { StepFailed } from '../errors.js';
import { deployAppConfig, driftAppConfig, historyAppConfig, planAppConfig, DEPLOY_STEP } from './appconfig.js';
import { callHttp, planHttp, CALL_STEP } from './http.js';
import { readPlanData } from './plan-data.js';
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
  /** Floor for the AppConfig poll interval in seconds (default 1). Tests lower it. */
  minDelaySec?: number;
}

function wrongStore(store: string, stepId: string): StepFailed {
  return new StepFailed('UnknownStep', `The flag driver has no step "${stepId}" for store ${store}.`, 'ask for a new plan; this plan was made by another Rewind version or catalog');
}

/**
 * Feature flags from both runbooks: SSM Parameter Store, AppConfig deployments and a
 * flag service's HTTP admin API. `/rollback maintenance on|off` is a flag like any other.
 */
export function createFlagDriver(deps: FlagDriverDeps): Driver<FlagTarget> {
  const minDelaySec = deps.minDelaySec ?? 1;
  const fetchImpl = deps.fetch ?? fetch;
  return {
    kind: 'flag',

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

    async drift(plan, _target, ctx) {
      const data = readPlanData(plan);
      switch (data.store) {
        case 'ssm':
          return driftSsm(deps.ssm(data.region), data, ctx);
        case 'appconfig':
          return driftAppConfig(deps.appconfig(data.region), data, ctx);
        case 'http':
          return undefined;
      }
    },

    async runStep(ctx) {
      const data = readPlanData(ctx.plan);
      const target = ctx.target;
      if (data.store === 'ssm' && ctx.step.id === PUT_STEP) return putSsm(deps.ssm(data.region), data, ctx);
      if (data.store === 'appconfig' && target.store === 'appconfig' && ctx.step.id === DEPLOY_STEP) {
        return deployAppConfig(deps.appconfig(data.region), data, ctx, target, minDelaySec);
      }
      if (data.store === 'http' && target.store === 'http' && ctx.step.id === CALL_STEP) return callHttp(data, ctx, target, deps.env, fetchImpl);
      throw wrongStore(data.store, ctx.step.id);
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
  };
}
