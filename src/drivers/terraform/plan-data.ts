import { z } from 'zod';

/** What the approvers approved (Plan.data): the digest of the plan's resource changes; the counts and the request for messages. */
export const terraformPlanData = z.object({
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  add: z.number().int().min(0),
  change: z.number().int().min(0),
  destroy: z.number().int().min(0),
  /** The request that asks again, for the apply step's hints. */
  replan: z.string().min(1),
});
export type TerraformPlanData = z.infer<typeof terraformPlanData>;
