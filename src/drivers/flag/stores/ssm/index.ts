import { z } from 'zod';
import { text } from '../../../../config/fields.js';
import { allowedValueProblem, flagTargetBase, planDataBase, scalar } from '../../fields.js';
import { defineFlagStore } from '../../store.js';

/** SSM Parameter Store: the DistroCV `/distrocv/prod/FeatureFlags/<Name>` parameters. */
export const ssmFlag = z.strictObject({
  ...flagTargetBase,
  store: z.literal('ssm'),
  parameter: text('the SSM parameter name, e.g. /distrocv/prod/FeatureFlags/NewMatchingAlgorithm'),
  on: scalar.default('true'),
  off: scalar.default('false'),
  /** Values `/rollback flag X set <value>` may write; without this list `set` is refused. */
  values: z.array(scalar).optional(),
  region: text('the AWS region of the parameter, e.g. us-east-1').optional(),
});
export type SsmFlagTarget = z.infer<typeof ssmFlag>;

export const ssmPlanData = z.object({
  ...planDataBase,
  store: z.literal('ssm'),
  parameter: z.string().min(1),
  region: z.string().optional(),
  currentValue: z.string(),
  currentVersion: z.number().int(),
  newValue: z.string(),
});
export type SsmPlanData = z.infer<typeof ssmPlanData>;

export const PUT_STEP = 'put';

export const ssmStore = defineFlagStore({
  store: 'ssm',
  target: ssmFlag,
  planData: ssmPlanData,
  clients: ['ssm'],
  step: PUT_STEP,
  actionProblem: (target, flag, action, value) => (action === 'set' ? allowedValueProblem(target.values, flag, value) : undefined),
  load: async () => (await import('./parameter.js')).parameterOperations,
});
