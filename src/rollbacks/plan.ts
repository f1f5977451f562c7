import { targetOf } from '../config/catalog.js';
import { lockTargets, type Plan, type Rollback } from '../domain/rollback.js';
import { sourcesOf } from '../domain/state-machine.js';
import { PlanRefused, StepFailed } from '../drivers/errors.js';
import { verifySteps } from '../verify/steps.js';
import { announcement } from '../warroom/announce.js';
import { line } from '../warroom/card.js';
import { tellRequester } from '../warroom/reply.js';
import type { WorkerServices } from './context.js';
import { scopeOf } from './scope.js';

/** Reads live state through the driver, fixes the plan, posts the card and the announcement. Safe to repeat. */
export async function planRollback(x: WorkerServices, id: string, signal: AbortSignal): Promise<void> {
  let rb = await x.store.get(id);
  if (!rb || !sourcesOf('refuse').includes(rb.state)) return;
  const { log } = scopeOf(x, id, { bindings: { job: 'plan' } });
  const target = targetOf(x.catalog, rb.service, rb.environment);
  const driver = target && x.drivers[target.driver];
  if (!target || !driver) {
    await refuse(x, rb, 'NotConfigured', `${rb.service} ${rb.environment} is not in the catalog (or its driver is not available in this worker).`);
    return;
  }

  if (rb.state === 'requested') {
    let plan: Plan;
    try {
      plan = await driver.plan(
        { rollbackId: id, service: rb.service, environment: rb.environment, target, version: rb.requestedVersion, options: rb.options },
        { signal, log },
      );
    } catch (error) {
      if (signal.aborted) throw error; // shutting down: the worker hands the job back
      if (error instanceof PlanRefused) {
        const choices = error.choices.length ? `\nValid choices: ${error.choices.map((c) => `\`${c}\``).join(', ')}` : '';
        await refuse(x, rb, 'PlanRefused', `${error.message}${choices}`);
        return;
      }
      const e = error as Error;
      log.warn({ err: e }, 'planning failed');
      const hint = error instanceof StepFailed ? error.hint : "check that Rewind's credentials can reach this platform (the README lists the IAM/RBAC each driver needs)";
      await refuse(x, rb, e.name || 'Error', `Could not read the live state of ${rb.service} ${rb.environment}: ${e.name}: ${e.message}\nWhat you can do: ${hint}, then ask again: \`${driver.replan(rb)}\``);
      return;
    }
    plan.steps.push(...verifySteps({ service: rb.service, environment: rb.environment, target }, x.catalog));
    rb = (await x.store.transition(id, 'plan', { patch: { plan }, message: `Planned: ${plan.current} → ${plan.target}` })).rollback;
  }

  if (rb.state === 'planned') {
    // The card and the announcement go to the outbox in the same write as the state: posted once, even after a crash.
    const text = await announcement(x, rb);
    const moved = await x.store.transition(id, 'propose', { message: 'Waiting for approval', say: () => [{ kind: 'card' }, line(x, text, true)] });
    if (moved.changed) rb = moved.rollback;
  }
  if (rb.state === 'awaiting_approval') {
    await x.jobs.expireAfter(id, Date.parse(rb.createdAt) + x.catalog.approvalTimeout - x.now().getTime());
    // Once per rollback: a repeated plan job (crash, reconciler) does not tell the requester twice.
    if (await x.journal.claim(id, 'planned-reply')) {
      await tellRequester(x, rb, `${id} is planned and waiting for approval in <#${x.catalog.warRoom}>: \`${rb.plan?.current}\` → \`${rb.plan?.target}\`.`);
    }
  }
}

/** The request cannot be planned: record why, free the target, tell the requester. */
async function refuse(x: WorkerServices, rb: Rollback, name: string, message: string): Promise<void> {
  const res = await x.store.transition(rb.id, 'refuse', {
    patch: { error: { name, message }, finishedAt: x.now().toISOString() },
    message: `Not planned: ${message}`,
  });
  await x.locks.release(lockTargets(rb), rb.id);
  if (res.changed) await tellRequester(x, res.rollback, `:warning: ${rb.id} was not started. ${message}`);
}
