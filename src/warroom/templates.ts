import { stackOf } from '../config/stacks.js';
import type { Rollback } from '../domain/rollback.js';
import { renderTemplate, type TemplateName } from '../templates/render.js';
import type { Services } from '../rollbacks/context.js';

export const POST_MORTEM_WITHIN_MS = 48 * 3600_000;

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
      product: (rb.stack && stackOf(s.catalog, rb.stack.name, rb.environment)?.product) ?? s.catalog.product ?? rb.service,
      rtoMs: s.catalog.rto,
      postMortemWithinMs: s.catalog.postMortem?.within ?? POST_MORTEM_WITHIN_MS,
      ...(extra.withTimeline ? { timeline: await s.store.timeline(rb.id) } : {}),
      ...(extra.names ? { names: extra.names } : {}),
    },
    s.catalog.templates,
  );
}
