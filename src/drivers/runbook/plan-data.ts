import { z } from 'zod';

/** What a runbook plan records (Plan.data): the step picked and its parameters. The argv itself is the step's input. */
export const runbookPlanData = z.object({
  step: z.string().min(1),
  params: z.record(z.string(), z.string()),
});
export type RunbookPlanData = z.infer<typeof runbookPlanData>;
