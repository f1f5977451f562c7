import { z } from 'zod';
import { duration, targetBase, text } from '../../config/fields.js';

/**
 * `driver: terraform`: both runbooks' infrastructure rollback (`terraform plan`, then `terraform apply`)
 * as one approved plan. The request plans read-only; approvers see the resource changes; execution
 * applies a fresh saved plan only when it matches the approved one. Nothing here comes from Slack.
 */

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name such as TF_VAR_db_password' });
const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: 'must be a Terraform variable name such as image_tag' });

export const terraformTarget = z.strictObject({
  driver: z.literal('terraform'),
  /** Where `terraform init/plan/apply` run: the root module of the environment. */
  dir: text('the Terraform working directory, e.g. /srv/skillancer/infrastructure/terraform/production'),
  workspace: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,90}$/, { error: 'must be a workspace name (letters, digits, _ and -), e.g. production' })
    .optional(),
  /** `-var name=value`: plain values, shown on the card. Secrets go through `env` as TF_VAR_<name>. */
  vars: z.record(varName, z.string()).default({}),
  /** `-var-file=<file>`, relative to `dir` or absolute (the runbook's previous-values.tfvars). */
  varFiles: z.array(text('a .tfvars file, e.g. previous-values.tfvars')).default([]),
  /** `-target=<address>`: limit the plan to these resources or modules (the runbook's -target=module.ecs). */
  targets: z.array(z.string().regex(/^[A-Za-z0-9_.[\]"-]+$/, { error: 'must be a resource or module address, e.g. module.ecs' })).default([]),
  /** Child variable → worker variable holding the value (TF_VAR_db_password, AWS_PROFILE); values are redacted from output. */
  env: z.record(envName, envName).default({}),
  /** Run `terraform init -input=false` first (each worker may be a fresh machine). */
  init: z.boolean().default(true),
  terraformBin: text('the terraform executable, e.g. /usr/local/bin/terraform').default('terraform'),
  planTimeout: duration('how long init and plan may take').default(10 * 60_000),
  applyTimeout: duration('how long terraform apply may take').default(30 * 60_000),
  killGrace: duration('how long a timed-out terraform gets between SIGTERM and SIGKILL').default(30_000),
  ...targetBase,
});
export type TerraformTarget = z.infer<typeof terraformTarget>;
