import { z } from 'zod';
import { duration, text } from '../../../../config/fields.js';
import { flagTargetBase, planDataBase, scalar } from '../../fields.js';
import { defineFlagStore } from '../../store.js';

/** AppConfig: deploy a configuration version of a profile with a strategy (`instant` in the runbook). */
export const appconfigFlag = z.strictObject({
  ...flagTargetBase,
  store: z.literal('appconfig'),
  application: text('the AppConfig application id, e.g. distrocv'),
  environment: text('the AppConfig environment id, e.g. prod'),
  profile: text('the configuration profile id, e.g. feature-flags'),
  strategy: text("the deployment strategy id; a strategy with no bake time (the runbook's `instant`) reports fastest"),
  /** Configuration versions `on` and `off` deploy; without them only `revert` and `set <version>` work. */
  on: scalar.optional(),
  off: scalar.optional(),
  region: text('the AWS region of the application, e.g. us-east-1').optional(),
  deployTimeout: duration('how long to wait for the deployment to complete').default(15 * 60_000),
  pollInterval: duration('how often to read the deployment while waiting').default(2000),
});
export type AppConfigFlagTarget = z.infer<typeof appconfigFlag>;

export const appconfigPlanData = z.object({
  ...planDataBase,
  store: z.literal('appconfig'),
  application: z.string().min(1),
  appEnvironment: z.string().min(1),
  profile: z.string().min(1),
  strategy: z.string().min(1),
  region: z.string().optional(),
  /** What the profile's last completed deployment serves; null when it was never deployed. */
  currentVersion: z.string().nullable(),
  currentDeployment: z.number().int().nullable(),
  newVersion: z.string().min(1),
});
export type AppConfigPlanData = z.infer<typeof appconfigPlanData>;

export const DEPLOY_STEP = 'deploy';

export const appconfigStore = defineFlagStore({
  store: 'appconfig',
  target: appconfigFlag,
  planData: appconfigPlanData,
  clients: ['appconfig'],
  step: DEPLOY_STEP,
  actionProblem(target, flag, action, value) {
    if ((action === 'on' || action === 'off') && target[action] === undefined) {
      return `${flag} has no configuration version for "${action}": add \`${action}: <version>\` to the catalog, or use revert or set <version>`;
    }
    if (action === 'set' && (value === undefined || !/^[A-Za-z0-9._-]{1,128}$/.test(value))) return `set needs an AppConfig configuration version such as 2`;
    return undefined;
  },
  load: async () => (await import('./deployment.js')).deploymentOperations,
});
