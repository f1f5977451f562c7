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
  /** For a command of a sequence: what ran before it, what comes after, and how to ask for the rest again. */
  sequence?: { ran: string[]; rest: string[]; resume: string };
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

/** The words that ask for this step again: `step <name>` when the target has several, then each parameter as `name=value`. */
function stepWords(target: RunbookTarget, name: string, values: Record<string, string>, from?: string): string {
  const words = [...(Object.keys(target.steps).length > 1 ? [`step ${name}`] : []), ...(from ? [`from ${from}`] : [])];
  return [...words, ...Object.entries(values).map(([param, value]) => `${param}=${value}`)].join(' ');
}

function pickStep(target: RunbookTarget, request: PlanRequest<RunbookTarget>): [string, RunbookStepConfig] {
  const names = Object.keys(target.steps);
  // Step names arrive from Slack (`step <name>`, `to <name>`): own keys only.
  const wanted = own(request.options, 'step') ?? (names.length === 1 ? names[0] : own(target.steps, request.version) ? request.version : undefined);
  const step = own(target.steps, wanted);
  if (!wanted || !step) {
    const usage = (n: string) => {
      const params = Object.keys(target.steps[n]!.params).map((p) => `${p}=<${p}>`);
      return [`/rollback ${request.service} ${request.environment} step ${n}`, ...params].join(' ');
    };
    throw new PlanRefused(
      `${wanted ? `\`${wanted}\` is not a step of ${request.service} ${request.environment}. ` : ''}Pick one of its runbook steps: ${names.map((n) => `\`${n}\``).join(', ')}.`,
      names.map(usage),
    );
  }
  return [wanted, step];
}

/** Declared parameters come from `name=value` (options), or from `to <value>` when the step has exactly one. */
function paramValues(name: string, step: RunbookStepConfig, request: PlanRequest<RunbookTarget>): Record<string, string> {
  const declared = Object.entries(step.params);
  const unknown = Object.keys(request.options ?? {}).filter((key) => !['step', 'from'].includes(key) && !Object.hasOwn(step.params, key));
  if (unknown.length) {
    const known = declared.length ? `its parameters are ${declared.map(([p]) => `\`${p}\``).join(', ')}` : 'it takes no parameters';
    throw new PlanRefused(`Step ${name} has no parameter ${unknown.map((u) => `\`${u}\``).join(', ')}: ${known}.`);
  }
  const values: Record<string, string> = {};
  for (const [param, spec] of declared) {
    const value = own(request.options, param) ?? (declared.length === 1 && request.version !== name ? request.version : undefined);
    const about = spec.description ? ` (${spec.description})` : '';
    if (value === undefined) {
      throw new PlanRefused(
        `Step ${name} needs ${param}${about}, matching ${spec.pattern}: e.g. \`/rollback ${request.service} ${request.environment} ${stepWords(request.target, name, { [param]: `<${param}>` })}\`.`,
      );
    }
    const problem = validateParam(param, value, spec.pattern, name);
    if (problem) {
      const example = `/rollback ${request.service} ${request.environment} ${stepWords(request.target, name, { [param]: spec.example ?? `<${param}>` })}`;
      throw new PlanRefused(`${problem}${about}, e.g. \`${example}\`.`);
    }
    values[param] = value;
  }
  return values;
}

/** The step's commands as they will run: one for `argv`, else the sequence, each with the step's defaults filled in. */
function commandsOf(
  name: string,
  step: RunbookStepConfig,
): { id: string; label: string; title?: string; argv: string[]; spec: Omit<RunbookStepInput, 'name' | 'argv'> }[] {
  const resolveCwd = (cwd?: string) => (cwd ? resolve(cwd) : undefined);
  if (step.argv) {
    return [
      {
        id: `run-${name}`,
        label: name,
        title: step.title,
        argv: step.argv,
        spec: { cwd: resolveCwd(step.cwd), env: step.env, timeout: step.timeout, repeatable: step.repeatable },
      },
    ];
  }
  return step.commands!.map((c) => ({
    id: `run-${name}-${c.name}`,
    label: c.name,
    title: c.title,
    argv: c.argv,
    spec: { cwd: resolveCwd(c.cwd ?? step.cwd), env: c.env ?? step.env, timeout: c.timeout ?? step.timeout, repeatable: c.repeatable ?? step.repeatable },
  }));
}

/** `from <command>` starts a sequence part-way, after its first commands were run (or finished by hand). */
function startAt<C extends { label: string }>(name: string, commands: C[], from: string | undefined): C[] {
  if (from === undefined) return commands;
  const index = commands.findIndex((c) => c.label === from);
  if (commands.length === 1 || index === -1) {
    throw new PlanRefused(
      commands.length === 1
        ? `Step ${name} is one command: \`from\` picks where a sequence starts.`
        : `\`${from}\` is not a command of step ${name}: its commands are ${commands.map((c) => `\`${c.label}\``).join(', ')}.`,
    );
  }
  return commands.slice(index);
}

export function planRunbook(request: PlanRequest<RunbookTarget>, env: NodeJS.ProcessEnv): Plan {
  const { target } = request;
  const [name, step] = pickStep(target, request);
  const values = paramValues(name, step, request);
  // Only whole-element placeholders exist (the schema refuses others), so a value is never spliced into text.
  const fill = (argv: string[]) =>
    argv.map((arg) => {
      const param = PLACEHOLDER.exec(arg)?.[1];
      return param ? values[param]! : arg;
    });
  const all = commandsOf(name, step);
  const commands = startAt(name, all, own(request.options, 'from')).map((c) => ({ ...c, argv: fill(c.argv) }));
  const sequence = all.length > 1;
  const inputs: RunbookStepInput[] = commands.map((c, i) => {
    const resolvedEnv = childEnv(c.spec.env, env);
    if ('missing' in resolvedEnv) throw new PlanRefused(`Cannot run ${name}: ${describeMissing(resolvedEnv.missing, name)}.`);
    const input: RunbookStepInput = { name: sequence ? `${name} ${c.label}` : name, argv: c.argv, ...c.spec };
    if (!sequence) return input;
    return {
      ...input,
      sequence: {
        ran: commands.slice(0, i).map((d) => d.label),
        rest: commands.slice(i + 1).map((d) => `\`${displayArgv(d.argv)}\``),
        resume: `/rollback ${request.service} ${request.environment} ${stepWords(target, name, values, c.label)}`,
      },
    };
  });

  const envLine = (mapping: Record<string, string>) =>
    Object.entries(mapping).map(([child, worker]) => (child === worker ? child : `${child} (from ${worker})`));
  const mapped = [...new Set(inputs.flatMap((input) => envLine(input.env)))];
  const cwds = [...new Set(inputs.flatMap((input) => (input.cwd ? [input.cwd] : [])))];
  const once = inputs.filter((input) => !input.repeatable).map((input) => input.name);
  const warnings = once.length
    ? [
        `${once.join(', ')} ${once.length > 1 ? 'are' : 'is'} not marked repeatable: if Rewind stops while ${once.length > 1 ? 'one runs' : 'it runs'}, it will not run it again; someone checks its effect by hand.`,
      ]
    : [];
  const timeouts = [...new Set(inputs.map((input) => formatDuration(input.timeout)))];
  return {
    driver: 'runbook',
    current: `${request.service} ${request.environment} as it is now`,
    target: Object.keys(values).length ? `${name} → ${Object.values(values).join(', ')}` : name,
    changes: [
      ...(sequence ? commands.map((c, i) => `${i + 1}. ${c.label}: \`${displayArgv(c.argv)}\``) : [`run: \`${displayArgv(commands[0]!.argv)}\``]),
      ...(commands.length < all.length ? [`starts at ${commands[0]!.label}: ${all.length - commands.length} earlier command(s) not run`] : []),
      ...(Object.keys(values).length
        ? [
            `parameters: ${Object.entries(values)
              .map(([p, v]) => `${p}=\`${v}\``)
              .join(', ')}`,
          ]
        : []),
      ...(cwds.length ? [`in: ${cwds.join(', ')}`] : []),
      ...(mapped.length ? [`env: ${mapped.join(', ')} (values redacted from output)`] : []),
      `timeout: ${timeouts.join(' / ')}${sequence ? ' per command' : ''}, then its process group is killed`,
    ],
    steps: commands.map((c, i) => ({
      id: c.id,
      title: sequence
        ? `${i + 1}/${commands.length} ${c.title ?? c.label}: \`${displayArgv(c.argv)}\``
        : `${c.title ?? `Run ${name}`}: \`${displayArgv(c.argv)}\``,
      driver: 'runbook',
      input: { ...inputs[i]! },
      ...(sequence ? { resume: { from: c.label } } : {}),
    })),
    fingerprint: createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16),
    data: { step: name, params: values },
    warnings,
    result: `${request.service} ${request.environment} after running ${commands.map((c) => `\`${displayArgv(c.argv)}\``).join(', then ')}`,
  };
}
