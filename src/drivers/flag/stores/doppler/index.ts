import { z } from 'zod';
import { duration, httpUrl, text } from '../../../../config/fields.js';
import { allowedValueProblem, flagTargetBase, planDataBase, scalar, tokenEnvName } from '../../fields.js';
import { defineFlagStore } from '../../store.js';

/** What Doppler accepts as a secret name; the flag's name is the default, so it is checked again at plan time. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;

/** A Doppler secret used as a flag: the Skillancer runbook's `doppler secrets set FEATURE_…=false`. */
export const dopplerFlag = z.strictObject({
  ...flagTargetBase,
  store: z.literal('doppler'),
  project: text('the Doppler project, e.g. skillancer'),
  config: text('the Doppler config, e.g. prd'),
  /** The secret's name; default: the flag's name. */
  secret: z.string().regex(SECRET_NAME, { error: 'must be a Doppler secret name such as FEATURE_SKILLPOD_ENABLED (letters, digits and _)' }).optional(),
  on: scalar.default('true'),
  off: scalar.default('false'),
  /** Values `/rollback flag X set <value>` may write; without this list `set` is refused. */
  values: z.array(scalar).optional(),
  /** Name of the environment variable holding a Doppler service token for this config; the token itself never goes in the catalog. */
  tokenEnv: tokenEnvName('DOPPLER_TOKEN_SKILLANCER'),
  /** Doppler's API; another base only for tests and the sandbox. */
  apiUrl: httpUrl.default('https://api.doppler.com'),
  timeout: duration('how long one Doppler request may take').default(10_000),
});
export type DopplerFlagTarget = z.infer<typeof dopplerFlag>;

export const dopplerPlanData = z.object({
  ...planDataBase,
  store: z.literal('doppler'),
  project: z.string().min(1),
  config: z.string().min(1),
  secret: z.string().min(1),
  /**
   * The value at plan time as the card showed it, and its SHA-256 for the drift check: a value the
   * catalog does not declare may be a real secret, so it is never stored.
   */
  currentLabel: z.string(),
  currentDigest: z.string(),
  /** Always a declared value (on, off or one of `values`). */
  newValue: z.string(),
});
export type DopplerPlanData = z.infer<typeof dopplerPlanData>;

export const SET_SECRET_STEP = 'set-secret';

export const dopplerStore = defineFlagStore({
  store: 'doppler',
  target: dopplerFlag,
  planData: dopplerPlanData,
  clients: [],
  step: SET_SECRET_STEP,
  actionProblem: (target, flag, action, value) => (action === 'set' ? allowedValueProblem(target.values, flag, value) : undefined),
  load: async () => (await import('./secret.js')).secretOperations,
});
