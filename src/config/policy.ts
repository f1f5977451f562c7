import { z } from 'zod';
import { DEFAULT_SEVERITIES } from './matrix-defaults.js';
import { templateIssues, TEMPLATE_NAMES } from '../templates/render.js';
import { duration, httpUrl, text } from './fields.js';
import { own } from './own.js';

/**
 * Catalog keys for authority and the war room: `severities`, `matrix`, `defaultSeverity`,
 * `checklist`, `templates`, `userChannel`, `supportChannel`, `statusPage`, `postMortem`. All optional; the
 * runbooks' tables and texts are the defaults (src/policy, src/templates).
 */

const roleName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be a role name from `roles`, e.g. oncall' });
const count = z.number({ error: 'must be a whole number of people, e.g. 2' }).int().min(1).default(1);

/** `oncall`, `{ role: lead, count: 2 }` or `{ from: [oncall, lead], count: 1 }`, all read as `{ from, count }`. */
const roleGroup = z.preprocess(
  (value) => {
    if (typeof value === 'string') return { from: [value] };
    if (value && typeof value === 'object' && 'role' in value && !('from' in value)) {
      const { role, ...rest } = value as { role: unknown };
      return { ...rest, from: [role] };
    }
    return value;
  },
  z.strictObject({ from: z.array(roleName).min(1, { error: 'must name at least one role' }), count }),
);

const requireList = z.array(roleGroup).min(1, { error: 'must list who approves, e.g. [{ role: oncall, count: 1 }, { role: lead, count: 1 }]' });

const severityId = z.string().regex(/^P[0-9]$/, { error: 'must be a severity such as P0 … P3' });

const severity = z.strictObject({
  label: text('a short name such as Critical'),
  rollback: z.enum(['yes', 'consider', 'fix-forward'], { error: 'must be yes, consider or fix-forward' }),
  require: requireList,
});

const scenario = z.strictObject({
  title: text('what happened, e.g. Complete platform outage'),
  severity: severityId,
  require: requireList.optional(),
  rollbackType: text('the recommended rollback, e.g. Frontend only').optional(),
  estimate: duration('how long this rollback usually takes').optional(),
  /** The stack this row's rollback type means (`Full stack` → `distrocv`): `/rollback full <env> sev <scenario>` rolls it back. */
  stack: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be a stack name from `stacks`' })
    .optional(),
  /** The row is about data: rolling back an application under it warns that the data may stay wrong, and names the database restore. */
  data: z.boolean({ error: 'must be true or false' }).optional(),
});

const channelId = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, { error: 'must be a Slack channel id such as C0STATUS (channel details → "Channel ID"), not a #name' });

export const policyKeys = {
  /** Severity → rollback advice and default authority (Skillancer decision matrix). */
  severities: z.record(severityId, severity).optional(),
  /** Scenario → severity, authority, recommended rollback and estimate. */
  matrix: z.record(roleName, scenario).optional(),
  /** Severity given to requests that name none; without it they need only the service's rule. */
  defaultSeverity: severityId.optional(),
  /** The pre-rollback checklist the modal asks to confirm. */
  checklist: z.array(text('a checklist item')).min(1).max(10).optional(),
  templates: z
    .strictObject(
      Object.fromEntries(TEMPLATE_NAMES.map((n) => [n, text(`the ${n} template text`).optional()])) as Record<
        (typeof TEMPLATE_NAMES)[number],
        z.ZodOptional<z.ZodString>
      >,
    )
    .optional(),
  /** User-facing channel for the user notification button. */
  userChannel: channelId.optional(),
  /** The Support team's channel: told to pause customer responses when a rollback starts (the Skillancer checklist). */
  supportChannel: channelId.optional(),
  /**
   * Status-page webhook; the bearer token is read from the env variable `tokenEnv`. `mode: auto`
   * posts "Investigating" when a rollback starts and "Resolved" when it succeeds; `button` (the
   * default) offers each as a button in the thread.
   */
  statusPage: z
    .strictObject({
      url: httpUrl,
      mode: z.enum(['auto', 'button']).default('button'),
      tokenEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'must be the NAME of an environment variable holding the token, e.g. STATUSPAGE_TOKEN (never the token itself)' })
        .optional(),
    })
    .optional(),
  postMortem: z
    .strictObject({
      within: duration('the post-mortem deadline after the incident').default(48 * 3600_000),
      remindBefore: duration('how long before the deadline to remind the thread').default(12 * 3600_000),
    })
    .optional(),
};

interface PolicyInput {
  roles: Record<string, unknown>;
  severities?: Record<string, { require: { from: string[] }[] }>;
  matrix?: Record<string, { severity: string; require?: { from: string[] }[] }>;
  defaultSeverity?: string;
  templates?: Record<string, string | undefined>;
  postMortem?: { within: number; remindBefore: number };
}

/** Cross-key checks: named roles and severities exist, templates use known variables. */
export function policyIssues(catalog: PolicyInput): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const roles = Object.keys(catalog.roles);
  const severities = Object.keys(catalog.severities ?? DEFAULT_SEVERITIES);
  const checkGroups = (groups: { from: string[] }[] | undefined, path: (string | number)[]) =>
    groups?.forEach((g, i) =>
      g.from.forEach((role, j) => {
        if (!own(catalog.roles, role))
          issues.push({
            path: [...path, 'require', i, 'from', j],
            message: `role "${role}" is not defined: add it under roles, or use one of: ${roles.join(', ') || '(none defined)'}`,
          });
      }),
    );
  for (const [id, sev] of Object.entries(catalog.severities ?? {})) checkGroups(sev.require, ['severities', id]);
  for (const [id, row] of Object.entries(catalog.matrix ?? {})) {
    checkGroups(row.require, ['matrix', id]);
    if (!severities.includes(row.severity))
      issues.push({ path: ['matrix', id, 'severity'], message: `severity "${row.severity}" is not defined: use one of ${severities.join(', ')}` });
  }
  if (catalog.defaultSeverity && !severities.includes(catalog.defaultSeverity)) {
    issues.push({ path: ['defaultSeverity'], message: `severity "${catalog.defaultSeverity}" is not defined: use one of ${severities.join(', ')}` });
  }
  if (catalog.postMortem && catalog.postMortem.remindBefore >= catalog.postMortem.within) {
    issues.push({ path: ['postMortem', 'remindBefore'], message: 'must be shorter than `within`, e.g. within: 48h, remindBefore: 12h' });
  }
  issues.push(...templateIssues(catalog.templates));
  return issues;
}
