import type { ComponentOutcome, ComponentState, Rollback, RollbackError } from '../domain/rollback.js';
import { clause } from '../domain/refusal.js';
import type { Part } from './parts.js';
import { journaledLiveTarget } from './live-target.js';
import { journalKey, runPart, type PartRun } from './run-part.js';

/** A component's state, recorded on the record (fenced) with its thread line, so the card shows it live. */
async function record(run: PartRun, name: string, state: ComponentState, text: string): Promise<void> {
  await run.x.store.update(
    run.r.id,
    (rb) => ({
      rollback: { ...rb, componentStates: { ...rb.componentStates, [name]: state } },
      event: { type: 'note', message: `${name}: ${state.state}${state.error ? ` (${state.error.name}: ${state.error.message})` : ''}` },
      say: [{ kind: 'line', text: `*${name}* · ${text}`, at: state.at }],
    }),
    { fence: run.r.fence },
  );
  await run.r.refreshCard();
}

/** What the component's steps journaled as its live target: the plan's label can be out of date (a Kubernetes undo renumbers). */
async function liveTargetOf(run: PartRun, part: Part): Promise<string | undefined> {
  const journal = await run.x.journal.all(run.r.id);
  return journaledLiveTarget(
    journal,
    part.plan.steps.map((s) => journalKey(part, s.id)),
  );
}

/**
 * Runs a stack's components in parallel as `after` allows, each journaled and fenced like a plain
 * rollback. A failing component does not stop independent ones; its dependents are skipped and
 * said so. A component that already ended (an earlier run) is not run again. Returns every
 * component's final state; throws, once the running components have stopped, when the run must
 * end early (shutdown, lost fence, a temporary error to retry from the journal).
 */
export async function runStack(parts: Part[], rb: Rollback, run: PartRun): Promise<Record<string, ComponentState>> {
  const states: Record<string, ComponentState> = {};
  for (const [name, state] of Object.entries(rb.componentStates ?? {})) if (state.state !== 'running') states[name] = state;
  const outcome = (name: string): ComponentOutcome | undefined => {
    const s = states[name]?.state;
    return s === 'running' ? undefined : s;
  };
  const pending = new Set(parts.map((p) => p.name!).filter((name) => !outcome(name)));
  const inflight = new Map<string, Promise<void>>();
  let stop: unknown;
  const now = () => run.x.now().toISOString();

  const runOne = async (part: Part) => {
    const name = part.name!;
    if (rb.componentStates?.[name]?.state !== 'running') {
      await record(run, name, { state: 'running', at: now() }, `:arrow_forward: started: \`${part.plan.current}\` → \`${part.plan.target}\``);
    }
    const failed = await runPart(part, run);
    const live = failed ? undefined : await liveTargetOf(run, part);
    const state: ComponentState = failed
      ? { state: 'failed', error: failed, at: now() }
      : { state: 'succeeded', at: now(), ...(live ? { liveTarget: live } : {}) };
    await record(
      run,
      name,
      state,
      failed ? `:red_circle: failed: ${failed.name}: ${failed.message}` : `:large_green_circle: done: on \`${live ?? part.plan.target}\``,
    );
    states[name] = state;
  };

  const launch = () => {
    for (const name of [...pending]) {
      const part = parts.find((p) => p.name === name)!;
      const done = (d: string) => outcome(d) === 'succeeded' || outcome(d) === 'unchanged';
      const blockedBy = part.after.filter((d) => outcome(d) === 'failed' || outcome(d) === 'skipped');
      if (blockedBy.length) {
        pending.delete(name);
        const state: ComponentState = { state: 'skipped', at: now() };
        states[name] = state;
        inflight.set(
          name,
          record(run, name, state, `:fast_forward: skipped: it runs after ${blockedBy.join(', ')}, which did not succeed. Still on \`${part.plan.current}\`.`),
        );
        continue;
      }
      if (stop !== undefined || !part.after.every(done)) continue;
      pending.delete(name);
      inflight.set(name, runOne(part));
    }
  };

  launch();
  while (inflight.size) {
    const [name, error] = await Promise.race(
      [...inflight].map(([n, p]) =>
        p.then(
          () => [n, undefined] as const,
          (e: unknown) => [n, e] as const,
        ),
      ),
    );
    inflight.delete(name);
    if (error !== undefined) stop ??= error;
    launch();
  }
  if (stop !== undefined) throw stop;
  return states;
}

/** How a finished stack fell short, or undefined when every component succeeded. */
export function stackFailure(rb: Rollback, states: Record<string, ComponentState>, replan: string): RollbackError | undefined {
  const components = rb.stack?.components ?? [];
  const fine = (name: string) => states[name]?.state === 'succeeded' || states[name]?.state === 'unchanged';
  const short = components.filter((c) => !fine(c.name));
  if (short.length === 0) return undefined;
  const failed = short.filter((c) => states[c.name]?.state === 'failed');
  const done = components.filter((c) => states[c.name]?.state === 'succeeded').map((c) => c.name);
  const parts = [
    ...failed.map((c) => `${c.name} failed (${states[c.name]!.error?.name}: ${clause(states[c.name]!.error?.message ?? '')})`),
    ...short.filter((c) => states[c.name]?.state === 'skipped').map((c) => `${c.name} skipped`),
  ];
  return {
    name: 'StackIncomplete',
    message: `${parts.join('; ')}. ${done.length ? `Rolled back: ${done.join(', ')}.` : 'No component was rolled back.'}`,
    hint: `The card shows where each component is now. Fix what failed (${
      failed.flatMap((c) => (states[c.name]!.error?.hint ? [clause(states[c.name]!.error!.hint!)] : [])).join('; ') || 'see the thread'
    }), then ask again for what is left: \`${replan}\`.`,
  };
}
