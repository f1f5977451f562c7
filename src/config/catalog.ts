import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { alertIssues, alertsSchema } from './alerts.js';
import { approvalRule, duration, slackUserId, slackUsergroupId, text } from './fields.js';
import { ConfigError, describeIssues } from './errors.js';
import { DRIVER_KINDS, targetSchemas } from '../drivers/index.js';
import { flagIssues, flagsSchema, flagTarget, maintenanceSchema } from '../drivers/flag/target.js';
import { environmentChecks, escalationList } from './checks.js';
import { own } from './own.js';
import { approvalIssues } from './approval-checks.js';
import { commandWordIssues } from './command-words.js';
import { policyIssues, policyKeys } from './policy.js';
import { stackIssues, stacksSchema } from './stacks.js';

/** A catalog entry: one of the registry's target schemas, picked by `driver`. */
const targetSchema = z.discriminatedUnion('driver', targetSchemas(), {
  error: (iss) => (iss.code === 'invalid_union' ? `driver must be one of: ${DRIVER_KINDS.join(', ')}` : undefined),
});
export type TargetConfig = z.infer<typeof targetSchema>;

const role = z.strictObject({
  users: z.array(slackUserId).default([]),
  usergroups: z.array(slackUsergroupId).default([]),
});

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
  error: 'must be lowercase letters, digits and dashes (it is typed in /rollback)',
});

export const catalogSchema = z
  .strictObject({
    product: text('the product name used in announcements, e.g. DistroCV').optional(),
    warRoom: z.string().regex(/^[CG][A-Z0-9]{2,}$/, {
      error: 'must be a Slack channel id such as C0WARROOM (channel details → "Channel ID"), not a #name',
    }),
    rto: duration('the recovery time objective').default(15 * 60_000),
    rpo: duration('the recovery point objective').default(5 * 60_000),
    approvalTimeout: duration('how long an approval request stays open').default(30 * 60_000),
    approval: approvalRule.optional(),
    roles: z.record(name, role),
    services: z.record(name, z.record(name, targetSchema)),
    /** Feature flags for `/rollback flag <Flag> on|off|revert <env>` (src/drivers/flag/target.ts). */
    flags: flagsSchema.optional(),
    /** The flag `/rollback maintenance on|off <env>` toggles. */
    maintenance: maintenanceSchema.optional(),
    /** Named sets of targets rolled back as one request (`/rollback stack <name> <env>`; src/config/stacks.ts). */
    stacks: stacksSchema.optional(),
    /** Post-rollback checks per environment (src/verify). */
    checks: environmentChecks.optional(),
    /** Alerts that make Rewind suggest a rollback of their target (src/config/alerts.ts). */
    alerts: alertsSchema.optional(),
    /** Roles named when verification fails, in order. */
    escalation: escalationList.optional(),
    /** `/rollback ready`: how far back a database snapshot or point-in-time window must reach. */
    readiness: z
      .strictObject({
        backupWindow: duration('how far back a database backup must reach for `/rollback ready`, e.g. 24h').default(24 * 3600_000),
        /** When (UTC) the war room hears what is not ready, every day; unset: never. */
        daily: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a UTC time of day such as 09:00 (when the war room gets the daily readiness summary)' })
          .optional(),
      })
      .optional(),
    /** Decision matrix, checklist, templates and war-room follow-ups (src/config/policy.ts). */
    ...policyKeys,
  })
  .superRefine((catalog, ctx) => {
    const roles = Object.keys(catalog.roles);
    const checkRule = (rule: { from: string[] } | undefined, path: (string | number)[]) => {
      rule?.from.forEach((r, i) => {
        if (!own(catalog.roles, r)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'from', i],
            message: `role "${r}" is not defined: add it under roles, or use one of: ${roles.join(', ') || '(none defined)'}`,
          });
        }
      });
    };
    checkRule(catalog.approval, ['approval']);
    for (const issue of flagIssues(catalog)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of policyIssues(catalog)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of stackIssues(catalog)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of approvalIssues(catalog)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of alertIssues(catalog)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of commandWordIssues(catalog)) ctx.addIssue({ code: 'custom', ...issue });
    catalog.escalation?.forEach((r, i) => {
      if (!own(catalog.roles, r)) {
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', i],
          message: `role "${r}" is not defined: add it under roles, or use one of: ${roles.join(', ') || '(none defined)'}`,
        });
      }
    });
    const environments = new Set(Object.values(catalog.services).flatMap((envs) => Object.keys(envs)));
    for (const env of Object.keys(catalog.checks ?? {})) {
      if (!environments.has(env)) {
        ctx.addIssue({
          code: 'custom',
          path: ['checks', env],
          message: `no service has an environment "${env}": use one of ${[...environments].join(', ') || '(none defined)'}`,
        });
      }
    }
    for (const [service, envs] of Object.entries(catalog.services)) {
      for (const [env, target] of Object.entries(envs)) {
        checkRule(target.approval, ['services', service, env, 'approval']);
        if (!target.approval && !catalog.approval) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', service, env, 'approval'],
            message: 'missing: add `approval: { from: [oncall], count: 1 }` here or a top-level `approval` default',
          });
        }
      }
    }
  });

export type Catalog = z.infer<typeof catalogSchema>;

/** Parses catalog text; throws ConfigError naming the file, the key path and the fix. */
export function parseCatalog(source: string, file: string): Catalog {
  const doc = parseDocument(source, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map(
        (e) => `${e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ` : ''}${e.message.split('\n')[0]}. Fix the YAML syntax there.`,
      ),
    );
  }
  const result = catalogSchema.safeParse(doc.toJS());
  if (!result.success) throw new ConfigError(file, describeIssues(result.error.issues));
  return result.data;
}

export function loadCatalog(file: string): Catalog {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      code === 'ENOENT'
        ? 'file not found. Fix: copy rewind.config.example.yaml to this path, or point REWIND_CONFIG at your catalog'
        : `cannot read it (${code ?? String(error)})`,
    ]);
  }
  return parseCatalog(source, file);
}

/** The rule for a target: its own, else the catalog default (validation guarantees one exists). */
export function approvalRuleOf(catalog: Catalog, target: TargetConfig): { from: string[]; count: number } {
  return target.approval ?? catalog.approval ?? { from: Object.keys(catalog.roles), count: 1 };
}

/** A service's environment; names come from Slack, so own keys only. */
export function serviceTarget(catalog: Catalog, service: string, environment: string): TargetConfig | undefined {
  return own(own(catalog.services, service), environment);
}

/** The driver kinds a catalog uses (services and flags): the only ones a worker loads. */
export function driverKinds(catalog: Catalog): Set<string> {
  const targets = [...Object.values(catalog.services), ...Object.values(catalog.flags ?? {})].flatMap((envs) => Object.values(envs));
  return new Set(targets.map((t) => t.driver));
}

/** A service's environment, or a feature flag's (flags and services never share a name). */
export function targetOf(catalog: Catalog, service: string, environment: string): TargetConfig | undefined {
  return serviceTarget(catalog, service, environment) ?? flagTarget(catalog, service, environment);
}
