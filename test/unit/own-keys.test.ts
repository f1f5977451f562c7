import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/grammar.js';
import { parseRollbackForm } from '../../commands/form.js';
import { parseCatalog, targetOf } from '../../src/config/catalog.js';
import { own } from '../../src/config/own.js';
import { planRunbook } from '../../src/drivers/runbook/plan.js';
import { PlanRefused } from '../../src/drivers/errors.js';
import { runbookTarget } from '../../src/drivers/runbook/target.js';
import { authorityFor, decisionMatrix } from '../../src/policy/matrix.js';
import { fill } from '../../src/templates/fill.js';
import { verifySteps } from '../../src/verify/steps.js';

/** Names that Object.prototype (or a function) answers when a lookup is not an own-key lookup. */
const PROTOTYPE = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'caller', 'arguments'];

const YAML = `
warRoom: C0WARROOM
roles: { oncall: { users: [U0ONCALL1] } }
approval: { from: [oncall] }
services:
  api:
    production: { driver: ecs, cluster: c, service: api }
  # Lowercase names may legitimately match Object.prototype's: they must work as own keys.
  constructor:
    constructor: { driver: ecs, cluster: c, service: odd }
flags:
  NewMatchingAlgorithm:
    production: { driver: flag, store: ssm, parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm }
checks:
  production: [{ type: http, url: 'https://api.example.com/health' }]
`;
const catalog = parseCatalog(YAML, 'inline');

describe('own-key lookups of names typed in Slack', () => {
  it('own() answers own keys only', () => {
    const record: Record<string, number> = { a: 1 };
    for (const name of PROTOTYPE) expect(own(record, name)).toBeUndefined();
    expect(own(record, 'a')).toBe(1);
    expect(own(undefined, 'a')).toBeUndefined();
    expect(own(record, undefined)).toBeUndefined();
  });

  it('targetOf finds no target under a prototype name', () => {
    for (const name of PROTOTYPE) {
      expect(targetOf(catalog, name, 'production')).toBeUndefined();
      expect(targetOf(catalog, 'api', name)).toBeUndefined();
      expect(targetOf(catalog, 'NewMatchingAlgorithm', name)).toBeUndefined();
    }
    expect(targetOf(catalog, 'constructor', 'constructor')).toMatchObject({ driver: 'ecs', service: 'odd' });
  });

  it('a service really called `constructor` is still a service', () => {
    expect(parseCommand('constructor constructor bad deploy', catalog)).toMatchObject({ kind: 'rollback', service: 'constructor', environment: 'constructor' });
    expect(parseCommand('constructor production', catalog)).toMatchObject({
      kind: 'error',
      message: '`constructor` has no environment `production`. Choose one of `constructor`.',
    });
  });

  it('the request form refuses a forged target', () => {
    const form = { target: 'api/__proto__', scenario: 'outage', reason: 'r', checked: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
    expect(parseRollbackForm(form, catalog)).toMatchObject({ errors: { target: 'Choose a service, or a stack, and its environment from the list.' } });
  });

  it('the decision matrix knows no scenario or severity called `constructor`', () => {
    const service = { label: 'api production', groups: [{ from: ['oncall'], count: 1 }] };
    for (const name of PROTOTYPE) {
      expect(authorityFor(decisionMatrix(catalog), service, { scenario: name })).toMatchObject({ refusal: { code: 'unknown_scenario' } });
      expect(authorityFor(decisionMatrix(catalog), service, { severity: name })).toMatchObject({ refusal: { code: 'unknown_severity' } });
    }
  });

  it('the catalog refuses a role, flag or maintenance entry that exists only on Object.prototype', () => {
    expect(() => parseCatalog(YAML.replace('approval: { from: [oncall] }', 'approval: { from: [constructor] }'), 'inline')).toThrow(
      /approval\.from\.0: role "constructor" is not defined/,
    );
    expect(() => parseCatalog(`${YAML}maintenance: { production: toString }\n`, 'inline')).toThrow(
      /maintenance\.production: flag "toString" is not defined under flags/,
    );
  });

  it('a runbook step or parameter named by `to <word>` must be one the catalog declares', () => {
    const target = runbookTarget.parse({ driver: 'runbook', steps: { down: { argv: ['migrate', 'down'] }, up: { argv: ['migrate', 'up'] } } });
    const request = (version: string) => ({ rollbackId: 'RB-1', service: 'db', environment: 'production', target, version });
    for (const name of PROTOTYPE) expect(() => planRunbook(request(name), {})).toThrow(PlanRefused);
    expect(planRunbook(request('down'), {}).data).toMatchObject({ step: 'down' });
  });

  it('templates leave `{constructor}` visible instead of printing a function', () => {
    expect(fill('{product} {constructor} {toString}', { product: 'DistroCV' })).toBe('DistroCV {constructor} {toString}');
  });

  it('an environment called `constructor` gets no checks from Object.prototype', () => {
    const target = targetOf(catalog, 'constructor', 'constructor')!;
    expect(verifySteps({ service: 'constructor', environment: 'constructor', target }, catalog)).toEqual([]);
    expect(verifySteps({ service: 'api', environment: 'production', target: targetOf(catalog, 'api', 'production')! }, catalog)).toHaveLength(1);
  });
});
