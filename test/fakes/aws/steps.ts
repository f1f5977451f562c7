import { pino } from 'pino';
import type { Plan } from '../../../src/domain/rollback.js';
import type { Driver, StepContext } from '../../../src/drivers/driver.js';

/** A stand-in for the executor: the context one step of a plan gets, with what it reported. */
export function stepContext<T>(plan: Plan, stepId: string, target: T, overrides: Partial<StepContext<T>> = {}) {
  const progress: string[] = [];
  const checkpoints: Record<string, unknown>[] = [];
  const step = plan.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`plan has no step ${stepId}: ${plan.steps.map((s) => s.id).join(', ')}`);
  const context: StepContext<T> = {
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    rollbackId: 'RB-7',
    plan,
    step,
    target,
    firstStartedAt: new Date(),
    saveCheckpoint: async (output) => {
      checkpoints.push(output);
    },
    progress: (line) => progress.push(line),
    ...overrides,
  };
  return { context, progress, checkpoints };
}

/** Runs every step of a plan in order, as the executor would; returns each step's output and all progress lines. */
export async function runAllSteps<T>(driver: Driver<T>, plan: Plan, target: T, overrides: Partial<StepContext<T>> = {}) {
  const outputs: Record<string, Record<string, unknown> | void> = {};
  const progress: string[] = [];
  for (const step of plan.steps) {
    const run = stepContext(plan, step.id, target, { ...overrides, progress: (line) => progress.push(line) });
    outputs[step.id] = await driver.runStep(run.context);
  }
  return { outputs, progress };
}

export const driverContext = () => ({ signal: new AbortController().signal, log: pino({ level: 'silent' }) });
