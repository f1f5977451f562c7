import { resolve } from 'node:path';
import { formatDuration } from '../../domain/duration.js';
import { howItEnded, runCommand, type CommandResult, type CommandSpec } from '../../exec/run.js';
import { summarize, type PlanSummary } from './changes.js';
import type { TerraformTarget } from './target.js';

const TAIL_IN_MESSAGE = 10;

/** terraform did not do what was asked: `message` says what, `output` is its last (redacted) lines. */
export class TerraformFailed extends Error {
  override name = 'TerraformFailed';
  constructor(
    message: string,
    readonly output: string,
    readonly notStarted = false,
  ) {
    super(message);
  }
}

export interface TerraformRun {
  target: TerraformTarget;
  /** The worker's environment: the catalog's `env` mappings read from it. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  progress?: (text: string) => void;
  progressInterval?: number;
}

/** Not secrets: how Terraform should behave unattended, and which workspace. */
function fixedEnv(t: TerraformTarget): Record<string, string> {
  return { TF_IN_AUTOMATION: '1', TF_INPUT: '0', ...(t.workspace ? { TF_WORKSPACE: t.workspace } : {}) };
}

/** The plan flags from the catalog, each one argv element (`-var=name=value` is one flag to Terraform). */
function planFlags(t: TerraformTarget): string[] {
  return [
    ...Object.entries(t.vars).map(([name, value]) => `-var=${name}=${value}`),
    ...t.varFiles.map((file) => `-var-file=${file}`),
    ...t.targets.map((address) => `-target=${address}`),
  ];
}

function spec(t: TerraformTarget, args: string[], timeout: number): CommandSpec {
  return { name: `terraform ${args[0]}`, argv: [t.terraformBin, ...args], cwd: resolve(t.dir), env: t.env, timeout };
}

function described(result: CommandResult, what: string, timeout: number): TerraformFailed | undefined {
  switch (result.outcome) {
    case 'not-started':
      return new TerraformFailed(`${what} did not start: ${result.reason}`, '', true);
    case 'timeout':
      return new TerraformFailed(
        `${what} ran longer than its ${formatDuration(timeout)} timeout and was killed`,
        result.tail.slice(-TAIL_IN_MESSAGE).join('\n'),
      );
    case 'exited':
      if (result.exitCode === 0) return undefined;
      return new TerraformFailed(`${what} ${howItEnded(result)}`, result.tail.slice(-TAIL_IN_MESSAGE).join('\n'));
  }
}

/**
 * Runs one terraform command in the target's directory; throws TerraformFailed unless it exits 0.
 * `json`: stdout is machine output, kept whole in the result instead of posted as progress.
 */
export async function terraform(run: TerraformRun, args: string[], timeout: number, json = false): Promise<CommandResult & { outcome: 'exited' }> {
  const t = run.target;
  const result = await runCommand(spec(t, args, timeout), {
    env: run.env,
    signal: run.signal,
    ...(json ? { captureStdout: true } : { progress: run.progress, progressInterval: run.progressInterval }),
    killGrace: t.killGrace,
    fixedEnv: fixedEnv(t),
  });
  const failed = described(result, `terraform ${args[0]}`, timeout);
  if (failed) throw failed;
  return result as CommandResult & { outcome: 'exited' };
}

/**
 * `terraform init` (if configured), then a read-only `terraform plan -out=<file>`, then the plan's
 * resource changes from `terraform show -json <file>`. The saved plan stays at `file` for an apply.
 */
export async function savedPlan(run: TerraformRun, file: string): Promise<PlanSummary> {
  const t = run.target;
  if (t.init) await terraform(run, ['init', '-input=false'], t.planTimeout);
  await terraform(run, ['plan', '-input=false', `-out=${file}`, ...planFlags(t)], t.planTimeout);
  const shown = await terraform(run, ['show', '-json', file], t.planTimeout, true);
  const summary = summarize(shown.stdout ?? '');
  if (!summary) throw new TerraformFailed('terraform show -json printed something that is not a plan in JSON (is terraformBin really Terraform ≥ 0.12?)', '');
  return summary;
}
