import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/grammar.js';
import { parseCatalog, targetOf } from '../../src/config/catalog.js';
import { describeIssues } from '../../src/config/errors.js';
import { planRunbook } from '../../src/drivers/runbook/plan.js';
import { runbookTarget, type RunbookTarget } from '../../src/drivers/runbook/target.js';
import { everyDriverCatalog } from '../support/catalogs.js';

const catalog = everyDriverCatalog();
const parse = (text: string) => parseCommand(text, catalog);

function problems(input: unknown): string[] {
  const result = runbookTarget.safeParse(input);
  return result.success ? [] : describeIssues(result.error.issues);
}

const PRISMA = {
  driver: 'runbook',
  steps: {
    'schema-rollback': {
      cwd: '/srv/skillancer',
      env: { DATABASE_URL: 'SKILLANCER_DATABASE_URL' },
      params: { migration: { pattern: '^[0-9]{14}_[a-z0-9_]+$', example: '20240101120000_add_x' } },
      commands: [
        { name: 'resolve', argv: ['npx', 'prisma', 'migrate', 'resolve', '--rolled-back', '{migration}'] },
        { name: 'db-push', argv: ['npx', 'prisma', 'db', 'push', '--accept-data-loss'], timeout: '10m', repeatable: true },
      ],
    },
  },
};

describe('runbook sequences in the catalog', () => {
  it('accepts a sequence whose parameter is used by one of its commands, commands inheriting the step defaults', () => {
    const target = runbookTarget.parse(PRISMA);
    const step = target.steps['schema-rollback']!;
    expect(step.commands?.map((c) => c.name)).toEqual(['resolve', 'db-push']);
    expect(step.commands?.[1]?.timeout).toBe(600_000);
    expect(step.commands?.[0]?.timeout).toBeUndefined();
    expect(step.timeout).toBe(600_000);
  });

  it('says when a step has both argv and commands, or neither', () => {
    expect(problems({ driver: 'runbook', steps: { both: { argv: ['true'], commands: [{ name: 'a', argv: ['true'] }] } } })).toEqual([
      'steps.both: has both argv and commands: use argv for one command, or commands for a sequence',
    ]);
    expect(problems({ driver: 'runbook', steps: { none: {} } })).toEqual([
      'steps.none: missing: add argv (one command, e.g. [./migrate.sh, down-to, "{migration}"]) or commands (a sequence of { name, argv })',
    ]);
  });

  it('refuses duplicate command names, undeclared placeholders in a command, reserved parameter names and an example that does not match', () => {
    expect(
      problems({
        driver: 'runbook',
        steps: {
          s: {
            params: { step: { pattern: '^x$' }, migration: { pattern: '^[0-9]+$', example: 'abc' } },
            commands: [
              { name: 'a', argv: ['tool', '{step}', '{migration}'] },
              { name: 'a', argv: ['tool', '{other}'] },
            ],
          },
        },
      }),
    ).toEqual([
      'steps.s.params.migration.example: "abc" does not match ^[0-9]+$: give a value that does',
      'steps.s.commands.1.name: "a" is used twice: name each command once',
      'steps.s.commands.1.argv.1: "{other}" is not declared: add it under params with a pattern, or fix the spelling',
      'steps.s.params.step: "step" is a word of /rollback itself: rename the parameter, e.g. step_name',
    ]);
  });
});

describe("the sandbox's Skillancer §2a example", () => {
  it('is a valid catalog entry that plans both commands, in order, with the migration as one argv element', () => {
    const sandbox = parseCatalog(readFileSync('sandbox/catalog.yaml', 'utf8').replaceAll('{{sandbox}}', 'http://127.0.0.1:9'), 'sandbox/catalog.yaml');
    const parsed = parseCommand('migrations production migration=20260121093000_add_skill_tags', sandbox);
    expect(parsed).toMatchObject({ kind: 'rollback', options: { migration: '20260121093000_add_skill_tags' } });
    const target = targetOf(sandbox, 'migrations', 'production') as RunbookTarget;
    const plan = planRunbook(
      { rollbackId: 'RB-1', service: 'migrations', environment: 'production', target, options: { migration: '20260121093000_add_skill_tags' } },
      {},
    );
    expect(plan.steps.map((s) => s.id)).toEqual(['run-schema-rollback-resolve', 'run-schema-rollback-db-push']);
    expect((plan.steps[0]!.input as { argv: string[] }).argv.at(-1)).toBe('20260121093000_add_skill_tags');
    expect(plan.changes).toContain('parameters: migration=`20260121093000_add_skill_tags`');
  });
});

describe('the runbook grammar after /rollback <runbook> <env>', () => {
  it('reads step, name=value parameters and from in any order, then the severity and reason', () => {
    expect(parse('migrations production step down to=20260101 sev P1 schema broke')).toMatchObject({
      kind: 'rollback',
      service: 'migrations',
      environment: 'production',
      options: { step: 'down', to: '20260101' },
      reason: 'schema broke',
      classification: { severity: 'P1' },
    });
    expect(parse('migrations production from push step down to 20260101 bad deploy')).toMatchObject({
      options: { step: 'down', from: 'push' },
      version: '20260101',
      reason: 'bad deploy',
    });
  });

  it('keeps the old `to <value>` form', () => {
    const parsed = parse('migrations production to reset');
    expect(parsed).toMatchObject({ kind: 'rollback', version: 'reset', options: {} });
  });

  it('says what is wrong with a malformed request', () => {
    expect(parse('migrations production step')).toEqual({
      kind: 'error',
      message: '`step` needs a value after it. Say what to run: `step <name>`, then its parameters as `name=value` (e.g. `migration=20240101_add_x`).',
    });
    expect(parse('migrations production migration=')).toEqual({
      kind: 'error',
      message: '`migration=` has no value: write it as `migration=<value>`, e.g. `migration=20240101_add_x`.',
    });
    expect(parse('migrations production to=1 to=2')).toEqual({ kind: 'error', message: '`to` is given twice: give each parameter once.' });
    expect(parse('migrations production to $(reboot)')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^`\$\(reboot\)` is not a valid value after `to`/),
    });
  });
});
