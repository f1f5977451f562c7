import { targetOf } from '../config/catalog.js';
import { stackOf } from '../config/stacks.js';
import type { Rollback } from '../domain/rollback.js';
import { renderTemplate, type TemplateName } from '../templates/render.js';
import type { Services } from '../rollbacks/context.js';

export const POST_MORTEM_WITHIN_MS = 48 * 3600_000;

/** The stack's or target's own `product`, else the catalog's, else the service name. */
function productOf(s: Services, rb: Rollback): string {
  const own = rb.stack ? stackOf(s.catalog, rb.stack.name, rb.environment)?.product : targetOf(s.catalog, rb.service, rb.environment)?.product;
  return own ?? s.catalog.product ?? rb.service;
}

/** Renders one of the catalog's templates (or the runbook default) for a rollback. */
export async function render(
  s: Services,
  name: TemplateName,
  rb: Rollback,
  extra: { names?: Record<string, string>; withTimeline?: boolean } = {},
): Promise<string> {
  return renderTemplate(
    name,
    rb,
    {
      product: productOf(s, rb),
      rtoMs: s.catalog.rto,
      postMortemWithinMs: s.catalog.postMortem?.within ?? POST_MORTEM_WITHIN_MS,
      ...(extra.withTimeline ? { timeline: await s.store.timeline(rb.id) } : {}),
      ...(extra.names ? { names: extra.names } : {}),
    },
    s.catalog.templates,
  );
}
