import { refusedCatalogProblems } from '../support/catalogs.js';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import { stackComponents, stackOf } from '../../src/config/stacks.js';
import { parseRollbackForm } from '../../commands/form.js';
import { parseCommand } from '../../commands/grammar.js';
import { checklistOf } from '../../src/policy/checklist.js';
import { modalChoices } from '../../src/slack/modal-choices.js';

const base = `
warRoom: C0WARROOM
approval: { from: [oncall], count: 1 }
roles:
  oncall: { users: [U0ONCALL1] }
  lead: { users: [U0LEAD] }
  cto: { users: [U0CTO] }
services:
  api: { production: { driver: ecs, cluster: distrocv-prod, service: api } }
  frontend: { production: { driver: ecs, cluster: distrocv-prod, service: frontend } }
flags:
  MAINTENANCE_MODE: { production: { driver: flag, store: ssm, parameter: /distrocv/prod/MAINTENANCE_MODE } }
  NewMatchingAlgorithm: { production: { driver: flag, store: ssm, parameter: /distrocv/prod/FeatureFlags/NewMatchingAlgorithm } }
maintenance: MAINTENANCE_MODE
`;

/** A stack of the two services, for the grammar and form tests. */
const TWO_SERVICE_STACK = `
stacks:
  distrocv:
    production:
      components:
        api: { service: api }
        frontend: { service: frontend }
`;

const problems = refusedCatalogProblems;

describe('stacks in the catalog', () => {
  it('resolves components to catalog targets with their flag actions and order', () => {
    const catalog = parseCatalog(
      `${base}
stacks:
  distrocv:
    production:
      approval: { from: [cto], count: 1 }
      components:
        maintenance: { maintenance: on }
        matching: { flag: NewMatchingAlgorithm, action: off }
        api: { service: api, after: [maintenance] }
        frontend: { service: frontend, version: v41, after: [maintenance, api] }
matrix:
  outage: { title: Full regression, severity: P0, rollbackType: Full stack, stack: distrocv }
`,
      'rewind.config.yaml',
    );
    const stack = stackOf(catalog, 'distrocv', 'production')!;
    expect(stackComponents(catalog, stack, 'production')).toEqual([
      {
        name: 'maintenance',
        service: 'MAINTENANCE_MODE',
        environment: 'production',
        target: 'MAINTENANCE_MODE/production',
        options: { action: 'on' },
        after: [],
      },
      {
        name: 'matching',
        service: 'NewMatchingAlgorithm',
        environment: 'production',
        target: 'NewMatchingAlgorithm/production',
        options: { action: 'off' },
        after: [],
      },
      { name: 'api', service: 'api', environment: 'production', target: 'api/production', after: ['maintenance'] },
      { name: 'frontend', service: 'frontend', environment: 'production', target: 'frontend/production', version: 'v41', after: ['maintenance', 'api'] },
    ]);
    expect(stackOf(catalog, 'constructor', 'production')).toBeUndefined();
  });

  it('refuses at start-up a flag action the store cannot do (AppConfig without an `off:` version), for flag and maintenance components', () => {
    const found = problems(`${base.replace(
      'maintenance: MAINTENANCE_MODE',
      `  Matching: { production: { driver: flag, store: appconfig, application: distrocv, environment: prod, profile: feature-flags, strategy: instant, on: 3 } }
  Maint: { production: { driver: flag, store: appconfig, application: distrocv, environment: prod, profile: maintenance, strategy: instant, off: 1 } }
maintenance: Maint`,
    )}
stacks:
  distrocv:
    production:
      components:
        down: { maintenance: on }
        matching: { flag: Matching, action: off }
        fine: { flag: Matching, action: revert }
`);
    expect(found).toEqual([
      'stacks.distrocv.production.components.down: maintenance on cannot be done on flag "Maint" in production: Maint has no configuration version for "on": add `on: <version>` to the catalog, or use revert or set <version>',
      'stacks.distrocv.production.components.matching: action "off" cannot be done on flag "Matching" in production: Matching has no configuration version for "off": add `off: <version>` to the catalog, or use revert or set <version>',
    ]);
  });

  it('refuses unknown components, a flag without an action, cycles, a target twice, unknown roles and stacks, with the fix', () => {
    const found = problems(`${base}
stacks:
  api:
    production:
      components:
        a: { service: api }
  broken:
    production:
      approval: { from: [security] }
      components:
        web: { service: web }
        matching: { flag: NewMatchingAlgorithm }
        one: { service: api, after: [two] }
        two: { service: frontend, after: [one] }
        again: { service: api }
        ghost: { service: frontend, after: [nowhere] }
        both: { service: api, flag: X }
matrix:
  outage: { title: Full regression, severity: P0, stack: everything }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/stacks\.api: "api" is also a service or flag name: rename the stack/),
        expect.stringMatching(/stacks\.broken\.production\.components\.web: service "web" has no "production" environment: use one of api, frontend/),
        expect.stringMatching(/components\.matching: flag "NewMatchingAlgorithm" needs an action: add `action: off`/),
        expect.stringMatching(/components: `after` goes round in a circle \(one → two → one\)/),
        expect.stringMatching(/components\.again: rolls back api production like "one" does/),
        expect.stringMatching(/components\.ghost\.after\.0: "nowhere" is not a component of this stack/),
        expect.stringMatching(/components\.both: must name exactly one of/),
        expect.stringMatching(/stacks\.broken\.production\.approval\.from\.0: role "security" is not defined/),
        expect.stringMatching(/matrix\.outage\.stack: stack "everything" is not defined: add it under stacks/),
      ]),
    );
  });
});

describe('the stack grammar', () => {
  const catalog = parseCatalog(
    `${base}${TWO_SERVICE_STACK}matrix:
  outage: { title: Full regression, severity: P0, rollbackType: Full stack, stack: distrocv }
  ui-bug: { title: UI bug, severity: P3, rollbackType: Frontend only }
`,
    'rewind.config.yaml',
  );

  it('`stack <name> <env>` and `full <env>` ask for the stack; `full` is classified as the row that names it', () => {
    expect(parseCommand('stack distrocv production everything is down', catalog)).toEqual({
      kind: 'rollback',
      service: 'distrocv',
      environment: 'production',
      reason: 'everything is down',
      stack: true,
    });
    expect(parseCommand('full production everything is down', catalog)).toEqual({
      kind: 'rollback',
      service: 'distrocv',
      environment: 'production',
      reason: 'everything is down',
      classification: { scenario: 'outage' },
      stack: true,
    });
    expect(parseCommand('stack distrocv production sev P0 down', catalog)).toMatchObject({ classification: { severity: 'P0' }, stack: true });
  });

  it('names what is wrong and what exists', () => {
    expect(parseCommand('stack', catalog)).toMatchObject({ kind: 'error', message: expect.stringMatching(/Which stack\? .* Stacks: `distrocv`/) });
    expect(parseCommand('stack distro production', catalog)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/Unknown stack `distro`\. Did you mean `distrocv`\?/),
    });
    expect(parseCommand('stack distrocv staging', catalog)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/no environment `staging`\. Choose one of `production`/),
    });
    expect(parseCommand('full production sev ui-bug', catalog)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/row `ui-bug` names no stack: .* use `sev` with one of `outage`/),
    });
    expect(parseCommand('stack constructor production', catalog)).toMatchObject({ kind: 'error' });
  });
});

describe('the request form offers stacks', () => {
  const catalog = parseCatalog(`${base}${TWO_SERVICE_STACK}`, 'rewind.config.yaml');
  const all = checklistOf(catalog).map((_, i) => i);

  it('lists each stack with its component count, and parses it back as a stack request', () => {
    expect(modalChoices(catalog).targets).toContainEqual({ service: 'distrocv', environment: 'production', stack: 2 });
    const form = { target: 'stack:distrocv/production', scenario: 'outage', reason: 'Full regression', checked: all };
    expect(parseRollbackForm(form, catalog)).toMatchObject({
      kind: 'rollback',
      service: 'distrocv',
      environment: 'production',
      stack: true,
      classification: { scenario: 'outage' },
    });
    expect(parseRollbackForm({ ...form, target: 'api/production' }, catalog)).not.toHaveProperty('stack');
  });

  it('refuses a version for a stack and a stack that is not in the catalog', () => {
    const form = { target: 'stack:distrocv/production', scenario: 'outage', reason: 'Full regression', checked: all };
    expect(parseRollbackForm({ ...form, version: '41' }, catalog)).toEqual({ errors: { version: expect.stringMatching(/leave the version empty/) } });
    expect(parseRollbackForm({ ...form, target: 'stack:distrocv/staging' }, catalog)).toEqual({
      errors: { target: expect.stringMatching(/Choose a service, or a stack/) },
    });
  });
});
