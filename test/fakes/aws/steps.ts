import { pino } from 'pino';
import type { Plan } from '../../../src/domain/rollback.js';
import type { Json, StepContext } from '../../../src/drivers/driver.js';
import { memoryCheckpoint } from '../../support/driver.js';

export interface StepOverrides<T> extends Partial<StepContext<T>> {
  /** What an earlier attempt of the step checkpointed. */
  journal?: Record<string, unknown>;
  /** Journal write; reject to simulate a worker killed before the checkpoint. */
  save?: (entry: Record<string, Json>) => Promise<void>;
}

/** A stand-in for the executor: the context one step of a plan gets, with what it reported. */
export function stepContext<T>(plan: Plan, stepId: string, target: T, overrides: StepOverrides<T> = {}) {
  const { journal, save, ...rest } = overrides;
  const progress: string[] = [];
  const memory = memoryCheckpoint(journal, save);
  const step = plan.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`plan has no step ${stepId}: ${plan.steps.map((s) => s.id).join(', ')}`);
  const context: StepContext<T> = {
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    rollbackId: 'RB-7',
    plan,
    step,
    target,
    data: plan.data,
    firstStartedAt: new Date(),
    checkpoint: memory.checkpoint,
    progress: (line) => progress.push(line),
    ...rest,
  };
  return { context, progress, checkpoints: memory.checkpoints, journal: memory.journal };
}

/** Runs every step of a plan in order, as the executor would; returns each step's output and all progress lines. */
export async function runAllSteps<T>(
  driver: { runStep(ctx: StepContext<T>): Promise<Record<string, unknown> | void> },
  plan: Plan,
  target: T,
  overrides: StepOverrides<T> = {},
) {
  const outputs: Record<string, Record<string, unknown> | void> = {};
  const progress: string[] = [];
  for (const step of plan.steps) {
    const run = stepContext(plan, step.id, target, { ...overrides, progress: (line) => progress.push(line) });
    outputs[step.id] = await driver.runStep(run.context);
  }
  return { outputs, progress };
}

export const driverContext = () => ({ signal: new AbortController().signal, log: pino({ level: 'silent' }) });
