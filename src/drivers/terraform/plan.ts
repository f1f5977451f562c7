import { resolve } from 'node:path';
import type { Plan } from '../../domain/rollback.js';
import type { PlanRequest } from '../driver.js';
import { AlreadyThere, PlanRefused } from '../errors.js';
import { serviceCommand } from '../replan.js';
import { changeLine, counts } from './changes.js';
import { savedPlan, TerraformFailed } from './cli.js';
import type { TerraformPlanData } from './plan-data.js';
import type { TerraformTarget } from './target.js';
import { withPlanFile } from './workdir.js';

/** Resource lines on the card; the digest covers every change whatever is shown. */
const MAX_LINES = 25;

export function where(t: TerraformTarget): string {
  return `${resolve(t.dir)}${t.workspace ? ` (workspace ${t.workspace})` : ''}`;
}

/** A read-only `terraform plan`: its resource changes become the card, their digest what execution must match. */
export async function planTerraform(request: PlanRequest<TerraformTarget>, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Plan> {
  const t = request.target;
  if (request.version) {
    throw new PlanRefused(
      `A Terraform target takes no \`to <version>\`: Rewind plans the configuration in ${where(t)} as it is checked out (vars, var files and targets from the catalog). Ask with \`/rollback ${request.service} ${request.environment}\`.`,
    );
  }
  const summary = await withPlanFile(request.rollbackId, (file) => savedPlan({ target: t, env, signal }, file)).catch((error: unknown) => {
    if (!(error instanceof TerraformFailed)) throw error;
    throw new PlanRefused(`Cannot plan ${request.service} ${request.environment}: ${error.message}.${error.output ? `\nLast output:\n${error.output}` : ''}`);
  });
  if (summary.changes.length === 0) {
    throw new AlreadyThere(`Terraform reports no changes for ${where(t)}: the infrastructure already matches the configuration, nothing to apply.`);
  }
  const shown = summary.changes.slice(0, MAX_LINES).map(changeLine);
  const hidden = summary.changes.length - shown.length;
  const data: TerraformPlanData = {
    digest: summary.digest,
    add: summary.add,
    change: summary.change,
    destroy: summary.destroy,
    replan: serviceCommand(request),
  };
  const destroyed = summary.changes.filter((c) => c.actions.includes('delete')).map((c) => c.address);
  return {
    driver: 'terraform',
    current: `${where(t)} as it is now`,
    target: `terraform plan: ${counts(summary)}`,
    changes: [
      ...shown,
      ...(hidden ? [`…and ${hidden} more (the approved plan covers all ${summary.changes.length})`] : []),
      ...(Object.keys(t.vars).length
        ? [
            `vars: ${Object.entries(t.vars)
              .map(([k, v]) => `${k}=\`${v}\``)
              .join(', ')}`,
          ]
        : []),
      ...(t.varFiles.length ? [`var files: ${t.varFiles.join(', ')}`] : []),
      ...(t.targets.length ? [`targets: ${t.targets.join(', ')}`] : []),
      ...(Object.keys(t.env).length ? [`env: ${Object.keys(t.env).join(', ')} (values redacted from output)`] : []),
      `plan digest: ${summary.digest.slice(0, 12)} (execution applies a fresh plan only if it matches)`,
    ],
    steps: [{ id: 'apply', title: `terraform apply of the approved plan (${counts(summary)})`, driver: 'terraform' }],
    fingerprint: summary.digest.slice(0, 16),
    data,
    result: `${where(t)} after applying plan ${summary.digest.slice(0, 12)} (${counts(summary)})`,
    warnings: destroyed.length
      ? [
          `This plan destroys ${destroyed.length} resource${destroyed.length > 1 ? 's' : ''}: ${destroyed.slice(0, 10).join(', ')}${destroyed.length > 10 ? ', …' : ''}`,
        ]
      : [],
  };
}
