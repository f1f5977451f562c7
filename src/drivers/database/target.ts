import { z } from 'zod';
import { duration, ownApprovalRequired, targetBase, text } from '../../config/fields.js';
import { dependentEntry } from '../shared/restart/dependents.js';

/**
 * `driver: database`: an RDS instance restored point-in-time or from a snapshot into a NEW instance
 * (the old one is kept), then the app is pointed at it through its Secrets Manager secret and its
 * ECS services or Kubernetes Deployments are restarted (both runbooks' "Point-in-Time Recovery" and
 * "Full Database Restore").
 */

const rdsIdentifier = z.string({ error: 'missing: add the RDS instance identifier, e.g. distrocv-prod' }).regex(/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/, {
  error: 'must be an RDS instance identifier: a letter, then letters, digits and single dashes, at most 63 characters',
});

/** Placeholders in `targetName`; {n} / {id} make the name unique per rollback and stable across retries. */
export const TARGET_NAME_PLACEHOLDERS = ['instance', 'n', 'id'] as const;

const targetName = z
  .string()
  .default('{instance}-rb-{n}')
  .superRefine((pattern, ctx) => {
    const unknown = [...pattern.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!).filter((p) => !(TARGET_NAME_PLACEHOLDERS as readonly string[]).includes(p));
    if (unknown.length) {
      ctx.addIssue({ code: 'custom', message: `unknown placeholder {${unknown.join('}, {')}}: use {instance}, {n} (42 for RB-42) or {id} (rb-42)` });
    }
    if (!/\{n\}|\{id\}/.test(pattern)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${pattern}" must contain {n} or {id} so every rollback restores into its own instance, e.g. {instance}-rb-{n}`,
      });
    }
  });

/** `{ cluster, service }`, written before Kubernetes dependents existed, still means `{ ecs: { cluster, service } }`. */
const dependent = z.preprocess((entry) => (entry && typeof entry === 'object' && 'cluster' in entry ? { ecs: entry } : entry), dependentEntry);

export const databaseTarget = z
  .strictObject({
    driver: z.literal('database'),
    instance: rdsIdentifier,
    region: z.string().optional(),
    /** Defaults to the source instance's class / Multi-AZ / subnet group / security groups, read at plan time. */
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, { error: 'must be an RDS instance class such as db.r6g.large' })
      .optional(),
    multiAz: z.boolean().optional(),
    subnetGroup: text('the DB subnet group for the restored instance').optional(),
    securityGroups: z.array(z.string().regex(/^sg-[0-9a-f]+$/, { error: 'must be a VPC security group id such as sg-0123abcd' })).optional(),
    targetName,
    secret: z.strictObject({
      id: text('the Secrets Manager secret the app reads its database host from, e.g. distrocv/database'),
      /** JSON field holding the host, or a connection URL whose host part is replaced. */
      hostField: text('the JSON field of the secret that holds the host, e.g. host').default('host'),
    }),
    dependents: z.array(dependent).default([]),
    /** The data-loss budget; falls back to the catalog's top-level `rpo`. */
    rpo: duration('the recovery point objective for this database').optional(),
    availableTimeout: duration('how long to wait for the restored instance to become available').default(90 * 60_000),
    stableTimeout: duration('how long to wait for each restarted dependent').default(15 * 60_000),
    pollInterval: duration('how often to read RDS, ECS and Kubernetes while waiting').default(30_000),
    ...targetBase,
  })
  // Not inherited from the top-level default: data rollbacks take the stronger rule (runbook: "CTO required").
  .superRefine(ownApprovalRequired('a database restore needs its own approval rule (the runbook requires the CTO)', '{ from: [cto], count: 1 }'));
export type DatabaseTarget = z.infer<typeof databaseTarget>;
