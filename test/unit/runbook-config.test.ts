import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import { describeIssues } from '../../src/config/errors.js';
import { createRedactor } from '../../src/exec/redact.js';
import { OutputTail } from '../../src/exec/tail.js';
import { runbookTarget } from '../../src/drivers/runbook/target.js';

function problems(input: unknown): string[] {
  const result = runbookTarget.safeParse(input);
  return result.success ? [] : describeIssues(result.error.issues);
}

describe('runbook catalog schema', () => {
  it('keeps the shipped example catalog valid', () => {
    const catalog = parseCatalog(readFileSync('examples/runbook/catalog.example.yaml', 'utf8'), 'examples/runbook/catalog.example.yaml');
    const migrations = catalog.services.migrations!.production!;
    expect(migrations.driver).toBe('runbook');
    expect(catalog.escalation).toEqual(['cto', 'dba']);
    expect(catalog.checks?.production?.map((c) => c.type)).toEqual(['http', 'smoke', 'metric', 'metric', 'metric']);
  });

  it('accepts a parameter only as a whole argv element', () => {
    expect(problems({ driver: 'runbook', steps: { up: { argv: ['tool', '--to={migration}'], params: { migration: { pattern: '^x$' } } } } })).toEqual([
      'steps.up.argv.1: "--to={migration}": a parameter must be a whole argv element; split it, e.g. ["--target", "{migration}"] instead of "--target={migration}"',
      'steps.up.params.migration: declared but not used: add "{migration}" to argv or remove it',
    ]);
  });

  it('refuses undeclared parameters, unanchored patterns and a parameter as the program', () => {
    expect(problems({ driver: 'runbook', steps: { up: { argv: ['{tool}', '{name}'], params: { name: { pattern: '[a-z]+' } } } } })).toEqual([
      'steps.up.params.name.pattern: "[a-z]+" must be anchored with ^ and $ so the whole value is checked, e.g. ^[a-z]+$',
      'steps.up.argv.0: "{tool}" is not declared: add it under params with a pattern, or fix the spelling',
      'steps.up.argv.0: the program itself cannot be a parameter: name the program, then the parameter',
    ]);
  });

  it('requires at least one step', () => {
    expect(problems({ driver: 'runbook', steps: {} })).toEqual(['steps: must define at least one step, e.g. rollback-migration: { argv: [...] }']);
  });
});

describe('runbook output handling', () => {
  it('redacts secret values and the password inside connection URLs', () => {
    const redact = createRedactor(['postgresql://app:p%40ss-word@db:5432/app', 'short', 'x']);
    expect(redact('connecting to postgresql://app:p%40ss-word@db:5432/app')).toBe('connecting to [redacted]');
    expect(redact('auth failed for p@ss-word and p%40ss-word')).toBe('auth failed for [redacted] and [redacted]');
    expect(redact('short x values')).toBe('[redacted] x values');
  });

  it('keeps only the last lines and cuts long ones', () => {
    const tail = new OutputTail(3, 10);
    tail.push('one\ntwo\nthr');
    tail.push('ee\nfour\n' + 'y'.repeat(25) + '\nfi');
    expect(tail.last()).toEqual(['four', `${'y'.repeat(10)}…`, 'fi']);
    expect(tail.last(2)).toEqual([`${'y'.repeat(10)}…`, 'fi']);
  });

  it('hands out each complete line once, counting the ones it no longer keeps', () => {
    const tail = new OutputTail(3, 10);
    tail.push('one\ntw');
    const first = tail.since(0);
    expect(first).toEqual({ lines: ['one'], seen: 1, skipped: 0 });
    tail.push('o\nthree\nfour\nfive\nsi');
    const second = tail.since(first.seen);
    expect(second).toEqual({ lines: ['three', 'four', 'five'], seen: 5, skipped: 1 });
    expect(tail.since(second.seen)).toEqual({ lines: [], seen: 5, skipped: 0 });
    expect(tail.since(second.seen, true)).toEqual({ lines: ['si'], seen: 5, skipped: 0 });
  });
});
