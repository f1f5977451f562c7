import type { z } from 'zod';
import { checkpointer } from '../../src/rollbacks/checkpoint.js';
import type { Plan } from '../../src/domain/rollback.js';
import { bindDriver } from '../../src/drivers/define.js';
import type { DriverContext, DriverInstance, Json, StepContext } from '../../src/drivers/driver.js';

/**
 * A driver as the executor drives it: bound like in production (the module's kind and plan-data
 * schema), with drift and steps reached through the stored plan, so tests exercise the parsing and
 * the step lookup too.
 */
export function asExecutor<T extends { driver: string }, P extends z.ZodType>(module: { kind: string; planData: P }, instance: DriverInstance<T, z.output<P>>) {
  const driver = bindDriver(module.kind, module.planData, instance);
  const prepare = (plan: Plan, target: T) => {
    const prepared = driver.prepare(plan, target);
    if ('invalid' in prepared) throw new Error(`the plan's data does not fit the ${module.kind} schema: ${prepared.invalid.join(', ')}`);
    return prepared;
  };
  return {
    ...driver,
    drift: (plan: Plan, target: T, ctx: DriverContext) => prepare(plan, target).drift(ctx),
    async runStep(ctx: StepContext<T>) {
      const step = prepare(ctx.plan, ctx.target).step(ctx.step.id);
      if (!step) throw new Error(`the ${module.kind} driver has no step ${ctx.step.id}`);
      return step(ctx);
    },
  };
}

/**
 * ctx.checkpoint over an in-memory journal, as the executor does over Redis: `journal` holds what
 * an earlier attempt checkpointed; `save` may fail to simulate a crash before the write.
 */
export function memoryCheckpoint(journal: Record<string, unknown> = {}, save: (entry: Record<string, Json>) => Promise<void> = async () => {}) {
  const checkpoints: Record<string, Json>[] = [];
  const checkpoint = checkpointer(
    () => journal,
    async (entry) => {
      await save(entry);
      checkpoints.push(entry);
      Object.assign(journal, entry);
    },
  );
  return { checkpoint, checkpoints, journal };
}
