import { hostname } from 'node:os';
import type { DriverInstance, StepContext } from '../driver.js';
import { StepFailed } from '../errors.js';
import { serviceCommand } from '../replan.js';
import { counts, type PlanSummary } from './changes.js';
import { savedPlan, terraform, TerraformFailed, type TerraformRun } from './cli.js';
import type { TerraformPlanData } from './plan-data.js';
import { planTerraform, where } from './plan.js';
import type { TerraformTarget } from './target.js';
import { withPlanFile } from './workdir.js';

export interface TerraformDriverDeps {
  /** The worker's environment; catalog `env` mappings read from it. */
  env: NodeJS.ProcessEnv;
  /** How often apply output is passed to ctx.progress (default 5 s). */
  progressInterval?: number;
}

type Ctx = StepContext<TerraformTarget, TerraformPlanData>;

const withOutput = (text: string, output: string) => (output ? `${text}\nLast output:\n${output}` : text);

/**
 * Journals this apply attempt (`apply-<n>`) just before terraform apply starts, once `decide` has
 * seen whether an earlier attempt got that far. `decide` throws to stop; nothing is journaled then.
 */
async function journalApply(ctx: Ctx, decide: (earlierApply: boolean) => void): Promise<void> {
  for (let n = 1; ; n++) {
    let ours = false;
    await ctx.checkpoint(`apply-${n}`, async () => {
      decide(n > 1);
      ours = true;
      return { startedAt: new Date().toISOString(), host: hostname() };
    });
    if (ours) return;
  }
}

/**
 * The apply step. The plan job may have run on another machine, so its plan file is gone: make a
 * fresh saved plan here, apply it only if its digest is the approved one. A fresh plan with no
 * changes means the approved plan is in place (an earlier attempt applied it before it stopped).
 */
async function apply(deps: TerraformDriverDeps, ctx: Ctx): Promise<Record<string, unknown>> {
  const t = ctx.target;
  const approved = ctx.data;
  const { replan } = approved;
  const run: TerraformRun = { target: t, env: deps.env, signal: ctx.signal, progress: ctx.progress, progressInterval: deps.progressInterval };
  const failed = (error: unknown, what: string, nothingApplied: boolean): never => {
    if (!(error instanceof TerraformFailed)) throw error;
    throw new StepFailed(
      error.notStarted ? 'TerraformNotStarted' : what,
      `${error.message}.`,
      withOutput(
        error.notStarted
          ? 'Install terraform on the worker image or set terraformBin in the catalog; nothing was applied.'
          : nothingApplied
            ? `Nothing was applied. Fix the cause, then ask again: \`${replan}\`.`
            : `It may have applied part of the plan (Terraform's state records what it did). Ask again with \`${replan}\`: the new plan shows what is left.`,
        error.output,
      ),
    );
  };

  return withPlanFile(ctx.rollbackId, async (file) => {
    ctx.progress(`terraform plan in ${where(t)}, to compare with the approved plan`);
    const fresh: PlanSummary = await savedPlan({ ...run, progress: undefined }, file).catch((e: unknown) => failed(e, 'TerraformPlanFailed', true));
    if (fresh.changes.length === 0) {
      ctx.progress('terraform plan shows no changes: the approved plan is already applied');
      ctx.log.info({ digest: approved.digest }, 'terraform plan empty at execution; nothing to apply');
      return { applied: false, upToDate: true, digest: approved.digest };
    }
    await journalApply(ctx, (earlierApply) => {
      if (fresh.digest === approved.digest) return;
      throw earlierApply
        ? new StepFailed(
            'OutcomeUnknown',
            `An earlier attempt started terraform apply and stopped; Terraform now plans ${counts(fresh)}, which is not the approved plan, so that apply may have done part of it.`,
            `Nothing more was applied. Check \`terraform plan\` in ${where(t)}, then ask again with \`${replan}\` so the approvers see what is left.`,
          )
        : new StepFailed(
            'PlanDrift',
            `Terraform now plans ${counts(fresh)}, not the approved plan (${counts(approved)}): the infrastructure or the configuration changed since approval.`,
            `Nothing was applied. Ask for a new plan and approval: \`${replan}\`.`,
          );
    });
    ctx.progress(`fresh plan matches the approved one (digest ${approved.digest.slice(0, 12)}): terraform apply`);
    const result = await terraform(run, ['apply', '-input=false', file], t.applyTimeout).catch((e: unknown) => failed(e, 'TerraformApplyFailed', false));
    ctx.log.info({ digest: approved.digest, durationMs: result.durationMs }, 'terraform apply finished');
    return { applied: true, digest: approved.digest, add: approved.add, change: approved.change, destroy: approved.destroy, durationMs: result.durationMs };
  });
}

/** Plans with `terraform plan` (read-only), applies the approved plan with `terraform apply <planfile>`. */
export function createTerraformDriver(deps: TerraformDriverDeps): DriverInstance<TerraformTarget, TerraformPlanData> {
  return {
    plan: async (request, ctx) => planTerraform(request, deps.env, ctx.signal),
    // Re-planning takes minutes, longer than the drift check's budget: the apply step compares the digests itself.
    drift: async () => undefined,
    replan: serviceCommand,
    steps: { apply: (ctx) => apply(deps, ctx) },
  };
}
