import { z } from 'zod';
import { ROLLBACK_ID } from '../../domain/rollback.js';

/** What an ECS plan records for its steps and drift check (Plan.data). */
export const ecsPlanData = z.object({
  cluster: z.string().min(1),
  service: z.string().min(1),
  region: z.string().optional(),
  currentTaskDefinition: z.string().min(1),
  targetTaskDefinition: z.string().min(1),
  /** The target's CloudWatch Logs group, for failure hints. */
  logGroup: z.string().optional(),
  /** The catalog names, so hints can spell the `/rollback` command. */
  catalogService: z.string(),
  environment: z.string(),
  plannedAt: z.string(),
  /** Why Rewind picked the target when the request named no version. */
  why: z.string().optional(),
  /** A forced deployment to unstick the rollback `of`: the service's deployment configuration to put back afterwards. */
  killStuck: z
    .object({
      of: z.string().regex(ROLLBACK_ID),
      original: z.looseObject({ minimumHealthyPercent: z.number().int().optional(), maximumPercent: z.number().int().optional() }),
    })
    .optional(),
});
export type EcsPlanData = z.infer<typeof ecsPlanData>;

/** `/rollback api production`: the command that asks for a fresh plan. */
export function replanCommand(data: EcsPlanData): string {
  return `/rollback ${data.catalogService} ${data.environment}`;
}
