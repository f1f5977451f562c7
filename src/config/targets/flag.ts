import { z } from 'zod';
import { duration, httpUrl, targetBase, text } from '../fields.js';
import { own } from '../own.js';

/** What `/rollback flag <Flag> …` may ask for. */
export const FLAG_ACTIONS = ['on', 'off', 'revert', 'set'] as const;
export type FlagAction = (typeof FLAG_ACTIONS)[number];

/** Flag names keep the runbooks' spelling: NewMatchingAlgorithm, MAINTENANCE_MODE, skillpod_enabled. */
export const flagName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/, {
  error: 'must be a flag name such as NewMatchingAlgorithm or MAINTENANCE_MODE (letters, digits, _ . -)',
});

const envName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
  error: 'must be lowercase letters, digits and dashes (it is typed in /rollback)',
});

/** YAML reads `on: true` as a boolean and `off: 2` as a number; a flag value is text either way. */
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a value such as "true", "false" or 2' }).transform(String);

const flagBase = { driver: z.literal('flag'), ...targetBase };

/** SSM Parameter Store: the DistroCV `/distrocv/prod/FeatureFlags/<Name>` parameters. */
export const ssmFlag = z.strictObject({
  ...flagBase,
  store: z.literal('ssm'),
  parameter: text('the SSM parameter name, e.g. /distrocv/prod/FeatureFlags/NewMatchingAlgorithm'),
  on: scalar.default('true'),
  off: scalar.default('false'),
  /** Values `/rollback flag X set <value>` may write; without this list `set` is refused. */
  values: z.array(scalar).optional(),
  region: text('the AWS region of the parameter, e.g. us-east-1').optional(),
});

/** AppConfig: deploy a configuration version of a profile with a strategy (`instant` in the runbook). */
export const appconfigFlag = z.strictObject({
  ...flagBase,
  store: z.literal('appconfig'),
  application: text('the AppConfig application id, e.g. distrocv'),
  environment: text('the AppConfig environment id, e.g. prod'),
  profile: text('the configuration profile id, e.g. feature-flags'),
  strategy: text('the deployment strategy id; a strategy with no bake time (the runbook\'s `instant`) reports fastest'),
  /** Configuration versions `on` and `off` deploy; without them only `revert` and `set <version>` work. */
  on: scalar.optional(),
  off: scalar.optional(),
  region: text('the AWS region of the application, e.g. us-east-1').optional(),
  deployTimeout: duration('how long to wait for the deployment to complete').default(15 * 60_000),
  pollInterval: duration('how often to read the deployment while waiting').default(2000),
});

/** A flag service's admin API (the Skillancer runbook's `POST /admin/flags`). */
export const httpFlag = z.strictObject({
  ...flagBase,
  store: z.literal('http'),
  url: httpUrl,
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  /** The API's own name for the flag, e.g. skillpod_enabled; default: the catalog key. */
  key: text('the flag name the API expects, e.g. skillpod_enabled').optional(),
  /** `{{flag}}`, `{{enabled}}` (true/false) and `{{value}}` ("on"/"off") are filled in, JSON-escaped. */
  body: z.string().default('{"flag": "{{flag}}", "enabled": {{enabled}}}'),
  contentType: z.string().default('application/json'),
  /** Name of the environment variable holding the bearer token; the token itself never goes in the catalog. */
  tokenEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'must be the NAME of an environment variable such as SKILLANCER_ADMIN_TOKEN, not the token itself' })
    .optional(),
  timeout: duration('how long one request may take').default(10_000),
});

export const flagTargetSchema = z.discriminatedUnion('store', [ssmFlag, appconfigFlag, httpFlag], {
  error: (iss) => (iss.code === 'invalid_union' ? 'store must be one of: ssm, appconfig, http' : undefined),
});
export type FlagTarget = z.infer<typeof flagTargetSchema>;
export type SsmFlagTarget = z.infer<typeof ssmFlag>;
export type AppConfigFlagTarget = z.infer<typeof appconfigFlag>;
export type HttpFlagTarget = z.infer<typeof httpFlag>;

/** The catalog's `flags:` section: flag name → environment → target. */
export const flagsSchema = z.record(flagName, z.record(envName, flagTargetSchema));

/** `maintenance: MAINTENANCE_MODE`, or per environment `{ production: MAINTENANCE_MODE }`. */
export const maintenanceSchema = z.union([flagName, z.record(envName, flagName)], {
  error: 'must name a flag from `flags`, e.g. `maintenance: MAINTENANCE_MODE`, or map environments to flags',
});

/** The parts of a catalog the flag lookups read (structural, so catalog.ts can call these while defining its schema). */
export interface FlagCatalog {
  roles: Record<string, unknown>;
  approval?: unknown;
  services?: Record<string, unknown>;
  flags?: Record<string, Record<string, FlagTarget>>;
  maintenance?: string | Record<string, string>;
}

/** Catalog-level problems with flags, for the catalog's superRefine. */
export function flagIssues(catalog: FlagCatalog): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const flags = catalog.flags ?? {};
  const roles = Object.keys(catalog.roles);
  for (const [flag, envs] of Object.entries(flags)) {
    // Rollback records key both by name, so one name must mean one thing.
    if (own(catalog.services, flag)) issues.push({ path: ['flags', flag], message: `"${flag}" is also a service name: rename the flag or the service` });
    for (const [env, target] of Object.entries(envs)) {
      const path = ['flags', flag, env, 'approval'];
      target.approval?.from.forEach((r, i) => {
        if (!own(catalog.roles, r)) issues.push({ path: [...path, 'from', i], message: `role "${r}" is not defined: add it under roles, or use one of: ${roles.join(', ') || '(none defined)'}` });
      });
      if (!target.approval && !catalog.approval) {
        issues.push({ path, message: 'missing: add `approval: { from: [oncall], count: 1 }` here or a top-level `approval` default' });
      }
    }
  }
  const known = Object.keys(flags).join(', ') || '(no flags defined)';
  const m = catalog.maintenance;
  if (typeof m === 'string' && !own(flags, m)) {
    issues.push({ path: ['maintenance'], message: `flag "${m}" is not defined under flags: add it there, or use one of: ${known}` });
  } else if (m && typeof m === 'object') {
    for (const [env, flag] of Object.entries(m)) {
      if (!own(flags, flag)) issues.push({ path: ['maintenance', env], message: `flag "${flag}" is not defined under flags: add it there, or use one of: ${known}` });
      else if (!own(own(flags, flag), env)) issues.push({ path: ['maintenance', env], message: `flag "${flag}" has no "${env}" environment: add flags.${flag}.${env}` });
    }
  }
  return issues;
}

/** The catalog's spelling of a flag typed in Slack (exact, else the one case-insensitive match). */
export function findFlag(catalog: FlagCatalog, typed: string): string | undefined {
  const names = Object.keys(catalog.flags ?? {});
  if (names.includes(typed)) return typed;
  const matches = names.filter((n) => n.toLowerCase() === typed.toLowerCase());
  return matches.length === 1 ? matches[0] : undefined;
}

export function flagTarget(catalog: FlagCatalog, flag: string, environment: string): FlagTarget | undefined {
  return own(own(catalog.flags, flag), environment);
}

/** The flag `/rollback maintenance on|off <env>` toggles there, if the catalog names one. */
export function maintenanceFlag(catalog: FlagCatalog, environment: string): string | undefined {
  const m = catalog.maintenance;
  return typeof m === 'string' ? m : own(m, environment);
}

/** Why a store cannot do this action (with the fix), or undefined when it can. Shared by the parser and the driver. */
export function flagActionProblem(target: FlagTarget, flag: string, action: FlagAction, value?: string): string | undefined {
  switch (target.store) {
    case 'ssm':
      if (action !== 'set') return undefined;
      if (!target.values) return `${flag} does not allow \`set\`: list the allowed values in the catalog (\`values: [...]\`) or use on, off or revert`;
      if (value === undefined || !target.values.includes(value)) return `${flag} can be set to ${target.values.map((v) => `"${v}"`).join(', ')} only`;
      return undefined;
    case 'appconfig':
      if ((action === 'on' || action === 'off') && target[action] === undefined) {
        return `${flag} has no configuration version for "${action}": add \`${action}: <version>\` to the catalog, or use revert or set <version>`;
      }
      if (action === 'set' && (value === undefined || !/^[A-Za-z0-9._-]{1,128}$/.test(value))) return `set needs an AppConfig configuration version such as 2`;
      return undefined;
    case 'http':
      if (action === 'revert' || action === 'set') return `${flag} is changed through an HTTP API that keeps no history, so only on and off work`;
      return undefined;
  }
}
