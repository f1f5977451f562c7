import type { Rollback } from '../domain/rollback.js';
import { fill } from './fill.js';
import { INTERNAL_NOTIFICATION } from './internal-notification.js';
import { POST_MORTEM } from './post-mortem.js';
import { STATUS_PAGE } from './status-page.js';
import { SUPPORT_NOTICE } from './support-notice.js';
import { USER_NOTIFICATION } from './user-notification.js';
import { TEMPLATE_VARIABLES, templateVariables, type TemplateContext } from './variables.js';

/** The runbooks' texts; the catalog's `templates:` replaces any of them. */
export const DEFAULT_TEMPLATES = {
  internalNotification: INTERNAL_NOTIFICATION,
  userNotification: USER_NOTIFICATION,
  statusPage: STATUS_PAGE,
  supportNotice: SUPPORT_NOTICE,
  postMortem: POST_MORTEM,
} as const;

export type TemplateName = keyof typeof DEFAULT_TEMPLATES;
export type TemplateOverrides = Partial<Record<TemplateName, string>>;
export const TEMPLATE_NAMES = Object.keys(DEFAULT_TEMPLATES) as TemplateName[];

export function renderTemplate(name: TemplateName, rb: Rollback, ctx: TemplateContext, overrides: TemplateOverrides = {}): string {
  return fill(overrides[name] ?? DEFAULT_TEMPLATES[name], templateVariables(rb, ctx));
}

/** `{names}` a template uses that are not variables (any letters, so `{Version}` is caught too). */
export function unknownVariables(template: string): string[] {
  const used = [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
  return [...new Set(used.filter((v) => !(v in TEMPLATE_VARIABLES)))];
}

/** Start-up check of the catalog's `templates:`: one problem per template with unknown variables. */
export function templateIssues(templates: TemplateOverrides | undefined): { path: string[]; message: string }[] {
  return Object.entries(templates ?? {}).flatMap(([name, text]) => {
    const unknown = unknownVariables(text ?? '');
    if (unknown.length === 0) return [];
    return [
      {
        path: ['templates', name],
        message: `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((v) => `{${v}}`).join(', ')}: fix the spelling or use one of ${Object.keys(
          TEMPLATE_VARIABLES,
        )
          .map((v) => `{${v}}`)
          .join(', ')}`,
      },
    ];
  });
}
