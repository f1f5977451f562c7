import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The part of `terraform show -json <planfile>` Rewind reads: resource_changes. Everything else
 * (variables, which hold sensitive values in plain text; prior_state; configuration) is never kept.
 */
const showJson = z.object({
  resource_changes: z
    .array(
      z.object({
        address: z.string(),
        change: z.object({
          actions: z.array(z.string()),
          before: z.unknown().optional(),
          after: z.unknown().optional(),
          after_unknown: z.unknown().optional(),
        }),
      }),
    )
    .default([]),
});

export interface ResourceChange {
  address: string;
  actions: string[];
}

export interface PlanSummary {
  changes: ResourceChange[];
  add: number;
  change: number;
  destroy: number;
  /** sha256 over every change (address, actions, before, after), sorted by address: equal digests, equal plans. */
  digest: string;
}

const quiet = (actions: string[]) => actions.every((a) => a === 'no-op' || a === 'read');

/** Reads show -json output; undefined when it is not that format. */
export function summarize(json: string): PlanSummary | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = showJson.safeParse(raw);
  if (!parsed.success) return undefined;
  const real = parsed.data.resource_changes.filter((c) => !quiet(c.change.actions)).sort((a, b) => a.address.localeCompare(b.address));
  const digest = createHash('sha256')
    .update(JSON.stringify(real.map((c) => [c.address, c.change.actions, c.change.before ?? null, c.change.after ?? null, c.change.after_unknown ?? null])))
    .digest('hex');
  const has = (action: string) => real.filter((c) => c.change.actions.includes(action)).length;
  return {
    changes: real.map((c) => ({ address: c.address, actions: c.change.actions })),
    add: has('create'),
    change: has('update'),
    destroy: has('delete'),
    digest,
  };
}

/** `+ aws_s3_bucket.logs (create)`, `-/+ aws_instance.web (replace)`: Terraform's own symbols. */
export function changeLine(c: ResourceChange): string {
  const replace = c.actions.includes('create') && c.actions.includes('delete');
  const symbol = replace ? '-/+' : c.actions[0] === 'create' ? '+' : c.actions[0] === 'delete' ? '-' : '~';
  return `${symbol} ${c.address} (${replace ? 'replace' : c.actions.join(', ')})`;
}

export const counts = (s: { add: number; change: number; destroy: number }) => `${s.add} to add, ${s.change} to change, ${s.destroy} to destroy`;
