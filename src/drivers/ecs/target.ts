import { z } from 'zod';
import { duration, targetBase, text } from '../../config/fields.js';

/** `driver: ecs`: one ECS service (the DistroCV "Application Rollback (ECS)" runbook). */
export const ecsTarget = z.strictObject({
  driver: z.literal('ecs'),
  cluster: text('the ECS cluster name, e.g. distrocv-prod'),
  service: text('the ECS service name, e.g. api'),
  region: z.string().optional(),
  stableTimeout: duration('how long to wait for the service to be stable').default(15 * 60_000),
  pollInterval: duration('how often to read the service while waiting').default(2000),
  ...targetBase,
});
export type EcsTarget = z.infer<typeof ecsTarget>;
