import { z } from 'zod';

/** Per Deployment, what the plan fixed: where it is, where it goes, and how to recognise both. */
export const plannedDeployment = z.object({
  name: z.string().min(1),
  currentRevision: z.number().int(),
  currentTemplate: z.string(),
  currentImages: z.array(z.string()),
  targetRevision: z.number().int(),
  targetReplicaSet: z.string().min(1),
  targetTemplate: z.string(),
  targetImages: z.array(z.string()),
  /** Set when the Deployment already runs the target's template: nothing to patch, only to wait for. */
  skip: z.string().optional(),
});
export type PlannedDeployment = z.infer<typeof plannedDeployment>;

/** What a Kubernetes plan records for its steps and drift check (Plan.data). */
export const kubernetesPlanData = z.object({
  context: z.string(),
  namespace: z.string().min(1),
  deployments: z.array(plannedDeployment).min(1),
});
export type KubernetesPlanData = z.infer<typeof kubernetesPlanData>;
