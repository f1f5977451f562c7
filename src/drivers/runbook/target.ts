import { z } from 'zod';
import { duration, targetBase, text } from '../../config/fields.js';

/**
 * `driver: runbook`: named commands for what no API covers (migration rollbacks, Terraform state,
 * a project's own rollback.sh). Commands are argv arrays run without a shell; a step is one command or
 * an ordered sequence; a request picks a step and may fill only its declared parameters, each validated
 * and substituted as one whole argv element.
 */

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name such as DATABASE_URL' });
const stepName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be lowercase letters, digits and dashes (it may be typed in /rollback)' });
const paramName = z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'must be lowercase letters, digits and _ (used as {name} in argv)' });

/** A whole argv element `{name}` is a parameter; anything else is literal. */
export const PLACEHOLDER = /^\{([a-z][a-z0-9_]*)\}$/;

const pattern = z
  .string({ error: 'missing: add a regular expression such as ^[0-9]{8}_[A-Za-z0-9_]+$ that every value must match' })
  .superRefine((source, ctx) => {
    if (!source.startsWith('^') || !source.endsWith('$')) {
      ctx.addIssue({
        code: 'custom',
        message: `"${source}" must be anchored with ^ and $ so the whole value is checked, e.g. ^${source.replace(/^\^|\$$/g, '')}$`,
      });
      return;
    }
    try {
      new RegExp(source);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `"${source}" is not a valid regular expression: ${(error as Error).message}` });
    }
  });

const runbookParam = z
  .strictObject({
    pattern,
    description: text('what the value is, e.g. "the migration to go back to"').optional(),
    /** A value that matches, quoted in refusals so the requester sees the shape. */
    example: text('a value that matches the pattern, e.g. 20240101_add_x').optional(),
  })
  .superRefine((param, ctx) => {
    if (param.example !== undefined && !new RegExp(param.pattern).test(param.example)) {
      ctx.addIssue({ code: 'custom', path: ['example'], message: `"${param.example}" does not match ${param.pattern}: give a value that does` });
    }
  });

/** The part every command shares, also used by the `smoke` verification check. */
export const commandFields = {
  argv: z
    .array(z.string().min(1, { error: 'argv elements may not be empty' }))
    .min(1, { error: 'must list the program and its arguments, e.g. [./migrate.sh, down-to, "{migration}"]' }),
  cwd: text('the working directory, e.g. /srv/distrocv').optional(),
  /** Child variable name → name of the worker's variable holding the value; nothing else of the worker's env is passed. */
  env: z.record(envName, envName).default({}),
  timeout: duration('how long the command may run before its process group is killed').default(10 * 60_000),
};

/** Keywords of the runbook grammar (`step <name>`, `from <command>`): no parameter may take these names. */
const RESERVED = new Set(['step', 'from']);

/** One command of a sequence; cwd, env, timeout and repeatable default to the step's. */
const runbookCommand = z.strictObject({
  name: stepName,
  title: text('a short description for the card').optional(),
  argv: commandFields.argv,
  cwd: commandFields.cwd,
  env: z.record(envName, envName).optional(),
  timeout: duration('how long the command may run before its process group is killed').optional(),
  repeatable: z.boolean().optional(),
});

/** Placeholders in one argv: undeclared or spliced ones are refused at start-up. */
function checkArgv(argv: string[], params: Record<string, unknown>, path: (string | number)[], ctx: z.RefinementCtx, used: Set<string>): void {
  argv.forEach((arg, i) => {
    const whole = PLACEHOLDER.exec(arg);
    if (whole) {
      used.add(whole[1]!);
      if (!Object.hasOwn(params, whole[1]!)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, i],
          message: `"{${whole[1]}}" is not declared: add it under params with a pattern, or fix the spelling`,
        });
      }
    } else if (/\{[a-z][a-z0-9_]*\}/.test(arg)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i],
        message: `"${arg}": a parameter must be a whole argv element; split it, e.g. ["--target", "{migration}"] instead of "--target={migration}"`,
      });
    }
  });
  if (argv[0] !== undefined && PLACEHOLDER.test(argv[0])) {
    ctx.addIssue({ code: 'custom', path: [...path, 0], message: 'the program itself cannot be a parameter: name the program, then the parameter' });
  }
}

/**
 * A named step: one command (`argv`), or an ordered sequence (`commands`) run as one rollback, each
 * command its own checkpointed plan step. Parameters are shared by the whole sequence.
 */
export const runbookStep = z
  .strictObject({
    title: text('a short description for the card').optional(),
    argv: commandFields.argv.optional(),
    commands: z.array(runbookCommand).min(1, { error: 'must list at least one command, e.g. - { name: resolve, argv: [...] }' }).optional(),
    cwd: commandFields.cwd,
    env: commandFields.env,
    timeout: commandFields.timeout,
    params: z.record(paramName, runbookParam).default({}),
    /** Safe to run again when a crash left its outcome unknown (e.g. `migrate down-to X`). */
    repeatable: z.boolean().default(false),
  })
  .superRefine((step, ctx) => {
    if ((step.argv === undefined) === (step.commands === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: step.argv
          ? 'has both argv and commands: use argv for one command, or commands for a sequence'
          : 'missing: add argv (one command, e.g. [./migrate.sh, down-to, "{migration}"]) or commands (a sequence of { name, argv })',
      });
    }
    const used = new Set<string>();
    if (step.argv) checkArgv(step.argv, step.params, ['argv'], ctx, used);
    const names = new Set<string>();
    step.commands?.forEach((command, i) => {
      if (names.has(command.name))
        ctx.addIssue({ code: 'custom', path: ['commands', i, 'name'], message: `"${command.name}" is used twice: name each command once` });
      names.add(command.name);
      checkArgv(command.argv, step.params, ['commands', i, 'argv'], ctx, used);
    });
    for (const name of Object.keys(step.params)) {
      if (RESERVED.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['params', name], message: `"${name}" is a word of /rollback itself: rename the parameter, e.g. ${name}_name` });
      } else if (!used.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['params', name], message: `declared but not used: add "{${name}}" to argv or remove it` });
      }
    }
  });
export type RunbookStepConfig = z.infer<typeof runbookStep>;

export const runbookTarget = z.strictObject({
  driver: z.literal('runbook'),
  steps: z
    .record(stepName, runbookStep)
    .refine((steps) => Object.keys(steps).length > 0, { error: 'must define at least one step, e.g. rollback-migration: { argv: [...] }' }),
  /** After SIGTERM on timeout, how long the process group gets before SIGKILL. */
  killGrace: duration('how long a timed-out command gets between SIGTERM and SIGKILL').default(10_000),
  ...targetBase,
});
export type RunbookTarget = z.infer<typeof runbookTarget>;
