import { describe, expect, it } from 'vitest';
import { parseCommand, versionSchema, type Parsed } from '../../commands/grammar.js';
import type { Catalog } from '../../src/config/catalog.js';
import { decisionMatrix } from '../../src/policy/matrix.js';
import { everyDriverCatalog } from '../support/catalogs.js';

/**
 * `/rollback` texts nobody would type on purpose: prototype names, grammar keywords in the wrong
 * place, huge offsets, unicode. parseCommand must answer every one with a command naming real
 * catalog entries (own keys) or an error that says what is wrong.
 */

const NOW = new Date('2026-01-22T10:30:00Z');

/** mulberry32: small, fast, and the same 10,000 texts on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROTOTYPE = [
  'toString',
  'valueOf',
  'constructor',
  '__proto__',
  'caller',
  'arguments',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'prototype',
  'length',
  'name',
  'apply',
  'call',
  'bind',
  'TOSTRING',
  'Constructor',
  '__PROTO__',
];
const KEYWORDS = [
  'to',
  'sev',
  'severity',
  'at',
  'flag',
  'maintenance',
  'off',
  'on',
  'revert',
  'set',
  'enable',
  'disable',
  'true',
  'false',
  'history',
  'status',
  'snapshots',
  'snapshot',
  'override',
  'matrix',
  'help',
  '-h',
  '--help',
  'retry',
  'stack',
  'full',
  'AT',
  'Sev',
  'TO',
];
const NUMBERS = [
  '41',
  '0',
  '-0',
  '99999999999',
  '1e400',
  '-1e400',
  'NaN',
  'Infinity',
  '-Infinity',
  String(Number.MAX_SAFE_INTEGER),
  '9'.repeat(400),
  '-15m',
  '-2h',
  '-1d',
  '-90s',
  '-0ms',
  '-0.5h',
  '-.5h',
  '-99999999999h',
  '-99999999999d',
  '-1e308d',
  `-${'9'.repeat(120)}h`,
  `-${'9'.repeat(20)}ms`,
  '-15x',
  '15m',
  '+15m',
  '2026-01-22T10:00Z',
  '2026-01-22T11:00+01:00',
  '2026-02-30T10:00Z',
  '2026-01-23T10:00Z',
  '0000-01-01T00:00Z',
  '0050-01-01T00:00Z',
  '9999-12-31T23:59Z',
  '2026-13-45T99:99Z',
  '+275760-09-13T00:00Z',
  'RB-1',
  'rb-12',
  'RB-999999999',
  'RB-9999999999',
  'RB-',
  'RB--1',
  'P0',
  'p1',
  'P9',
  'rds:distrocv-prod-2026-01-21',
  'distrocv-prod-2026-01-22',
];
const UNICODE = [
  'прод',
  'production\u200b',
  'ｐｒｏｄｕｃｔｉｏｎ',
  '🔥',
  '👨‍👩‍👧',
  'İ',
  'ß',
  'ﬀ',
  'e\u0301',
  '\u202eproduction',
  '\ud800',
  '\u0000',
  'api\u0000',
  '中文',
  'Ω≈ç√',
  '\uFEFF',
];
const HOSTILE = [
  '`rm -rf /`',
  '../../etc/passwd',
  '$(id)',
  '; ls',
  '|',
  '&&',
  '<!channel>',
  '<@U0ALEX>',
  '*',
  '"',
  "'",
  '{{sandbox}}',
  '%s',
  '\\',
  '-',
  '--',
  '.',
  'x'.repeat(5000),
];
const SEPARATORS = [' ', ' ', ' ', '  ', '\t', '\n', '\u00a0', '\u3000', '\u2028'];

function namesOf(catalog: Catalog): string[] {
  const matrix = decisionMatrix(catalog);
  const envs = (records: Record<string, Record<string, unknown>>) => Object.values(records).flatMap((e) => Object.keys(e));
  const flags = Object.keys(catalog.flags ?? {});
  return [
    ...Object.keys(catalog.services),
    ...envs(catalog.services),
    ...flags,
    ...flags.map((f) => f.toLowerCase()),
    ...envs(catalog.flags ?? {}),
    ...Object.keys(matrix.severities),
    ...Object.keys(matrix.scenarios),
    ...Object.keys(catalog.roles),
    'down',
    'reset',
    'staging',
    'prod',
  ];
}

/** One text: mostly shapes the grammar knows with one odd word in a slot, sometimes pure noise. */
function generator(catalog: Catalog, seed: number): () => string {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const names = namesOf(catalog);
  const pools = [names, names, names, PROTOTYPE, PROTOTYPE, KEYWORDS, KEYWORDS, NUMBERS, UNICODE, HOSTILE];
  const any = () => pick(pick(pools));
  const word = (right: readonly string[]) => (random() < 0.6 ? pick(right) : any());
  const service = () => word(Object.keys(catalog.services));
  const env = () => word(['production', 'staging']);
  const flag = () => word(Object.keys(catalog.flags ?? {}));
  const words = (n: number) => Array.from({ length: Math.floor(random() * n) }, any);
  const shapes: (() => string[])[] = [
    () => words(9),
    () => [service(), env(), ...words(5)],
    () => [service(), env(), 'to', word(NUMBERS), ...words(4)],
    () => [service(), env(), word(['sev', 'severity']), word(names), ...words(3)],
    () => [service(), env(), 'sev', word(names), 'override', ...words(3)],
    () => ['db', env(), word(['at', 'snapshot', 'snapshots']), word(NUMBERS), ...words(3)],
    () => ['migrations', 'production', 'to', word(['down', 'reset', ...PROTOTYPE]), ...words(2)],
    () => ['flag', flag(), word(['on', 'off', 'revert', 'set', 'enable', 'true']), env(), ...words(3)],
    () => ['flag', flag(), 'set', any(), env(), ...words(2)],
    () => ['maintenance', word(['on', 'off']), env(), ...words(3)],
    () => ['history', ...words(3)],
    () => ['history', service(), env()],
    () => ['status', word(NUMBERS), ...words(1)],
    () => [],
  ];
  return () => {
    const tokens = pick(shapes)();
    let text = '';
    for (const t of tokens) text += (text ? pick(SEPARATORS) : random() < 0.1 ? pick(SEPARATORS) : '') + t;
    return random() < 0.05 ? text + pick(SEPARATORS) : text;
  };
}

const catalog = everyDriverCatalog();
const matrix = decisionMatrix(catalog);
const hasOwnPath = (record: object | undefined, ...keys: string[]): boolean => {
  let node: unknown = record;
  for (const key of keys) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
};

/** What must hold for every text, as a list of problems (empty when the result is sound). */
function problems(parsed: Parsed): string[] {
  switch (parsed.kind) {
    case 'error':
      return typeof parsed.message !== 'string' || !parsed.message.trim()
        ? ['empty error message']
        : /native code|\[object /.test(parsed.message)
          ? ['message shows a prototype value']
          : [];
    case 'rollback':
    case 'versions': {
      const named =
        parsed.kind === 'rollback' && parsed.stack
          ? hasOwnPath(catalog.stacks, parsed.service, parsed.environment)
          : hasOwnPath(catalog.services, parsed.service, parsed.environment) || hasOwnPath(catalog.flags, parsed.service, parsed.environment);
      const out = named ? [] : [`${parsed.service}/${parsed.environment} is not a catalog target`];
      if (parsed.kind === 'versions') return out;
      if (parsed.version !== undefined && !versionSchema.safeParse(parsed.version).success) out.push(`bad version ${parsed.version}`);
      if (typeof parsed.reason !== 'string') out.push('reason is not text');
      const c = parsed.classification;
      if (c?.scenario !== undefined && !Object.hasOwn(matrix.scenarios, c.scenario)) out.push(`unknown scenario ${c.scenario}`);
      if (c?.severity !== undefined && !Object.hasOwn(matrix.severities, c.severity)) out.push(`unknown severity ${c.severity}`);
      if (Object.values(parsed.options ?? {}).some((v) => typeof v !== 'string' || v.includes('Invalid'))) out.push('options are not plain text');
      return out;
    }
    case 'versionTable': {
      const envs = [...Object.values(catalog.services), ...Object.values(catalog.flags ?? {})];
      return envs.some((e) => Object.hasOwn(e, parsed.environment)) ? [] : [`version table of unknown environment ${parsed.environment}`];
    }
    case 'unfreeze': {
      const named = hasOwnPath(catalog.services, parsed.service, parsed.environment) || hasOwnPath(catalog.flags, parsed.service, parsed.environment);
      return [
        ...(named ? [] : [`${parsed.service}/${parsed.environment} is not a catalog target`]),
        ...(parsed.reason.trim() ? [] : ['unfreeze without a reason']),
      ];
    }
    case 'ready':
      return (parsed.stack ? hasOwnPath(catalog.stacks, parsed.service, parsed.environment) : hasOwnPath(catalog.services, parsed.service, parsed.environment))
        ? []
        : [`${parsed.service}/${parsed.environment} is not a service or stack`];
    case 'history':
      return parsed.service === undefined || Object.hasOwn(catalog.services, parsed.service) ? [] : [`history of unknown ${parsed.service}`];
    case 'status':
    case 'retry':
    case 'kill-stuck':
      return /^RB-\d{1,9}$/.test(parsed.id) ? [] : [`bad id ${parsed.id}`];
    case 'help':
    case 'modal':
    case 'matrix':
      return [];
  }
}

describe('/rollback grammar under fuzzing', () => {
  it('answers 10,000 generated texts with a catalog target or an error, never a throw', () => {
    const next = generator(catalog, 0x5eed_10);
    const throws: string[] = [];
    const failures: string[] = [];
    const kinds: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const text = next();
      let parsed: Parsed;
      try {
        parsed = parseCommand(text, catalog, NOW);
      } catch (error) {
        throws.push(`${JSON.stringify(text)} threw ${String(error)}`);
        continue;
      }
      kinds[parsed.kind] = (kinds[parsed.kind] ?? 0) + 1;
      for (const problem of problems(parsed)) failures.push(`${JSON.stringify(text)}: ${problem}`);
    }
    expect(throws.slice(0, 10)).toEqual([]);
    expect(failures.slice(0, 20)).toEqual([]);
    // The generator reaches every branch, not only the error paths.
    for (const kind of ['rollback', 'versions', 'history', 'status', 'error', 'modal', 'help']) expect(kinds[kind] ?? 0, kind).toBeGreaterThan(10);
  });
});

describe('/rollback grammar regressions (issue 10)', () => {
  const error = (text: string) => {
    const parsed = parseCommand(text, catalog, NOW);
    expect(parsed.kind, text).toBe('error');
    return parsed.kind === 'error' ? parsed.message : '';
  };

  it('refuses a relative offset beyond the range of dates instead of throwing RangeError', () => {
    expect(error('db production at -99999999999h')).toMatch(/^`-99999999999h` is further back than any backup can reach: use a recent offset such as `-15m`/);
    expect(error('db production at -99999999999d')).toMatch(/further back than any backup/);
    expect(parseCommand('db production at -15m', catalog, NOW)).toMatchObject({
      kind: 'rollback',
      options: { mode: 'pitr', restoreTime: '2026-01-22T10:15:00.000Z' },
    });
  });

  it.each(['caller', 'arguments', 'toString', 'valueOf', 'constructor', '__proto__', 'hasOwnProperty'])(
    'treats %s as the unknown name it is, in every slot',
    (name) => {
      expect(error(`${name} production`)).toMatch(new RegExp(`^Unknown service \`${name}\`\\..*Known services: \`api\``));
      expect(error(`api ${name}`)).toBe(`\`api\` has no environment \`${name}\`. Choose one of \`production\`, \`staging\`.`);
      expect(error(`history ${name}`)).toMatch(/^Unknown service/);
      expect(error(`history api ${name}`)).toMatch(/has no environment/);
      expect(error(`api production sev ${name}`)).toMatch(/is neither a severity nor a scenario of the decision matrix: use one of `P0`/);
      expect(error(`flag ${name} on production`)).toMatch(/^Unknown flag .*Known flags: `NewMatchingAlgorithm`/);
      expect(error(`flag NewMatchingAlgorithm ${name} production`)).toMatch(/is not a flag action/);
      expect(error(`flag NewMatchingAlgorithm on ${name}`)).toBe(`\`NewMatchingAlgorithm\` has no environment \`${name}\`: choose one of \`production\`.`);
      expect(error(`maintenance on ${name}`)).toMatch(/^Maintenance mode is not configured for .*Choose one of `production`/);
    },
  );

  it('does not reach a function property (`caller` on toString threw TypeError in strict mode)', () => {
    expect(error('toString caller')).toMatch(/^Unknown service `toString`/);
    expect(error('constructor arguments why')).toMatch(/^Unknown service `constructor`/);
    expect(error('history valueOf caller')).toMatch(/^Unknown service `valueOf`/);
  });

  it('still reads the real names', () => {
    expect(parseCommand('api production sev outage', catalog, NOW)).toMatchObject({ kind: 'rollback', classification: { scenario: 'outage' } });
    expect(parseCommand('flag newmatchingalgorithm off production', catalog, NOW)).toMatchObject({
      kind: 'rollback',
      service: 'NewMatchingAlgorithm',
      options: { action: 'off' },
    });
    expect(parseCommand('history api staging', catalog, NOW)).toEqual({ kind: 'versions', service: 'api', environment: 'staging' });
  });
});
