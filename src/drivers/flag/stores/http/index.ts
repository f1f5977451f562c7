import { z } from 'zod';
import { duration, httpUrl, text } from '../../../../config/fields.js';
import { flagTargetBase, planDataBase, tokenEnvName } from '../../fields.js';
import { defineFlagStore } from '../../store.js';

/** A flag service's admin API (the Skillancer runbook's `POST /admin/flags`). */
export const httpFlag = z.strictObject({
  ...flagTargetBase,
  store: z.literal('http'),
  url: httpUrl,
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  /** The API's own name for the flag, e.g. skillpod_enabled; default: the catalog key. */
  key: text('the flag name the API expects, e.g. skillpod_enabled').optional(),
  /** `{{flag}}`, `{{enabled}}` (true/false) and `{{value}}` ("on"/"off") are filled in, JSON-escaped. */
  body: z.string().default('{"flag": "{{flag}}", "enabled": {{enabled}}}'),
  contentType: z.string().default('application/json'),
  /** Name of the environment variable holding the bearer token; the token itself never goes in the catalog. */
  tokenEnv: tokenEnvName('SKILLANCER_ADMIN_TOKEN').optional(),
  timeout: duration('how long one request may take').default(10_000),
});
export type HttpFlagTarget = z.infer<typeof httpFlag>;

export const httpPlanData = z.object({
  ...planDataBase,
  store: z.literal('http'),
  url: z.string().min(1),
  method: z.string().min(1),
  enabled: z.boolean(),
  body: z.string(),
  contentType: z.string(),
});
export type HttpPlanData = z.infer<typeof httpPlanData>;

export const CALL_STEP = 'call';

export const httpStore = defineFlagStore({
  store: 'http',
  target: httpFlag,
  planData: httpPlanData,
  clients: [],
  step: CALL_STEP,
  actionProblem: (_target, flag, action) =>
    action === 'revert' || action === 'set' ? `${flag} is changed through an HTTP API that keeps no history, so only on and off work` : undefined,
  load: async () => (await import('./admin-api.js')).adminApiOperations,
});
