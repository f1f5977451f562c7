import type { Rollback } from '../domain/rollback.js';

/**
 * Where each component of a stack is now, one line each, for the outcome and the templates: the
 * version it is on when it succeeded, where it stopped when it failed, unchanged when it never ran.
 */
export function componentLines(rb: Rollback): string[] {
  if (!rb.stack) return [];
  return (rb.stack?.components ?? []).map((c) => {
    const state = rb.componentStates?.[c.name];
    const plan = c.plan;
    const label = `${c.name} (${c.service})`;
    if (!plan) return `${label}: not planned`;
    switch (state?.state) {
      case 'succeeded':
        return `${label}: rolled back, on ${state.liveTarget ?? plan.target}`;
      case 'failed':
        return `${label}: FAILED (${state.error?.name ?? 'error'}); it may be part-way from ${plan.current} to ${plan.target}`;
      case 'running':
        return `${label}: stopped while running; it may be part-way from ${plan.current} to ${plan.target}`;
      case 'unchanged':
        return `${label}: already there, nothing to change (${plan.changes[0] ?? plan.current})`;
      case 'skipped':
        return `${label}: skipped, still on ${plan.current}`;
      default:
        return `${label}: not started, still on ${plan.current}`;
    }
  });
}

/** Whether any post-rollback check was part of the plan: "passed its checks" is said only then. */
export function checksRan(rb: Rollback): boolean {
  const plans = rb.stack ? rb.stack.components.map((c) => c.plan) : [rb.plan];
  return plans.some((p) => p?.steps.some((s) => s.driver === 'verify'));
}

/** The `{components}` template variable: one line per component of a stack, or the one target of a plain rollback. */
export function componentList(rb: Rollback, status: string): string {
  if (rb.stack)
    return componentLines(rb)
      .map((l) => `- ${l}`)
      .join('\n');
  const change = rb.plan ? (rb.plan.result ?? `${rb.plan.current} → ${rb.plan.target}`) : 'not planned';
  return `- ${rb.service} ${rb.environment}: ${change} (${status})`;
}
