import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { own } from '../../config/own.js';
import { formatDuration } from '../../domain/duration.js';
import type { Plan } from '../../domain/rollback.js';
import type { PlanRequest } from '../driver.js';
import { PlanRefused } from '../errors.js';
import { childEnv, describeMissing } from '../../exec/env.js';
import { displayArgv, type CommandSpec } from '../../exec/run.js';
import { PLACEHOLDER, type RunbookStepConfig, type RunbookTarget } from './target.js';

/** What the run step needs, fixed at plan time: the exact argv the approvers saw. */
export interface RunbookStepInput extends CommandSpec {
  repeatable: boolean;
}

const MAX_VALUE = 200;

/**
 * Checks one Slack-supplied value against its declared pattern. Also refuses what a pattern might let
 * through by accident: a leading dash (it would read as an option) and control characters.
 */
export function validateParam(name: string, value: string, pattern: string, step: string): string | undefined {
  if (value.length === 0 || value.length > MAX_VALUE) return `${name} must be 1 to ${MAX_VALUE} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${name} may not contain control characters`;
  if (value.startsWith('-')) return `${name} may not start with "-" (it would be read as an option)`;
  if (!new RegExp(pattern).test(value)) return `\`${value}\` is not a valid ${name} for ${step}: it must match ${pattern}`;
  return undefined;
}

function pickStep(target: RunbookTarget, request: PlanRequest<RunbookTarget>): [string, RunbookStepConfig] {
  const names = Object.keys(target.steps);
  // Step names arrive from Slack (`to <step>`, options.step): own keys only.
  const wanted = own(request.options, 'step') ?? (names.length === 1 ? names[0] : own(target.steps, request.version) ? request.version : undefined);
  const step = own(target.steps, wanted);
  if (!wanted || !step) {
    throw new PlanRefused(
      `${wanted ? `\`${wanted}\` is not a step of ${request.service} ${request.environment}. ` : ''}Pick one of its runbook steps: ${names.map((n) => `\`${n}\``).join(', ')}.`,
      names.map((n) => `step ${n}`),
    );
  }
  return [wanted, step];
}

/** Declared parameters come from `options[<name>]`, or from `to <value>` when the step has exactly one. */
function paramValues(name: string, step: RunbookStepConfig, request: PlanRequest<RunbookTarget>): Record<string, string> {
  const declared = Object.entries(step.params);
  const values: Record<string, string> = {};
  for (const [param, spec] of declared) {
    const value = own(request.options, param) ?? (declared.length === 1 && request.version !== name ? request.version : undefined);
    const about = spec.description ? ` (${spec.description})` : '';
    if (value === undefined) {
      throw new PlanRefused(
        `Step ${name} needs ${param}${about}, matching ${spec.pattern}: e.g. \`/rollback ${request.service} ${request.environment} to <${param}>\`.`,
      );
    }
    const problem = validateParam(param, value, spec.pattern, name);
    if (problem) throw new PlanRefused(`${problem}${about}.`);
    values[param] = value;
  }
  return values;
}

export function planRunbook(request: PlanRequest<RunbookTarget>, env: NodeJS.ProcessEnv): Plan {
  const { target } = request;
  const [name, step] = pickStep(target, request);
  const values = paramValues(name, step, request);
  // Only whole-element placeholders exist (the schema refuses others), so a value is never spliced into text.
  const argv = step.argv.map((arg) => {
    const param = PLACEHOLDER.exec(arg)?.[1];
    return param ? values[param]! : arg;
  });
  const resolvedEnv = childEnv(step.env, env);
  if ('missing' in resolvedEnv) throw new PlanRefused(`Cannot run ${name}: ${describeMissing(resolvedEnv.missing, name)}.`);

  const input: RunbookStepInput = {
    name,
    argv,
    cwd: step.cwd ? resolve(step.cwd) : undefined,
    env: step.env,
    timeout: step.timeout,
    repeatable: step.repeatable,
  };
  const envLine = Object.entries(step.env).map(([child, worker]) => (child === worker ? child : `${child} (from ${worker})`));
  const warnings = step.repeatable
    ? []
    : [`${name} is not marked repeatable: if Rewind stops while it runs, it will not run it again; someone checks its effect by hand.`];
  return {
    driver: 'runbook',
    current: `${request.service} ${request.environment} as it is now`,
    target: Object.keys(values).length ? `${name} → ${Object.values(values).join(', ')}` : name,
    changes: [
      `run: \`${displayArgv(argv)}\``,
      ...(input.cwd ? [`in: ${input.cwd}`] : []),
      ...(envLine.length ? [`env: ${envLine.join(', ')} (values redacted from output)`] : []),
      `timeout: ${formatDuration(step.timeout)}, then its process group is killed`,
    ],
    steps: [{ id: `run-${name}`, title: `${step.title ?? `Run ${name}`}: \`${displayArgv(argv)}\``, driver: 'runbook', input: { ...input } }],
    fingerprint: createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16),
    data: { step: name, params: values },
    warnings,
    result: `${request.service} ${request.environment} after running \`${displayArgv(argv)}\``,
  };
}
