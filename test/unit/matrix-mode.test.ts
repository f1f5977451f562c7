import { expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import { describeAuthority } from '../../src/policy/authority.js';
import { classify, matrixMode } from '../../src/policy/resolve.js';

const catalog = (extra = '', apiApproval = '{ from: [oncall], count: 1 }') =>
  parseCatalog(
    `
warRoom: C0WARROOM
roles:
  oncall: { users: [U0ONCALL1, U0ONCALL2] }
  lead: { users: [U0LEAD] }
  cto: { users: [U0CTO] }
  security: { users: [U0SEC] }
  billing-lead: { users: [U0BILL] }
approval: { from: [oncall, lead], count: 1 }
services:
  api:
    production: { driver: ecs, cluster: distrocv-prod, service: api, approval: ${apiApproval} }
  web:
    production: { driver: ecs, cluster: distrocv-prod, service: web }
stacks:
  all:
    production:
      components: { api: { service: api }, web: { service: web } }
${extra}`,
    'rewind.config.yaml',
  );

const rule = (c: ReturnType<typeof catalog>, service: string, scenario?: string) => {
  const res = classify(c, service, 'production', scenario ? { scenario } : {});
  if ('refusal' in res) throw new Error(res.refusal.message);
  return describeAuthority(res.authority);
};

it('replace by default: the row alone for a classified request, the target rule otherwise', () => {
  const c = catalog();
  expect(matrixMode(c, 'api', 'production')).toBe('replace');
  expect(rule(c, 'api', 'data-corruption')).toBe('1 from cto (P0 · Data corruption detected row, in place of the api production rule)');
  expect(rule(c, 'api')).toBe('1 from oncall (api production rule)');
});

it("a target's own `matrix: combine` wins over the catalog default, and a stack combines when a component does", () => {
  const c = catalog('', '{ from: [oncall], count: 1, matrix: combine }');
  expect(matrixMode(c, 'api', 'production')).toBe('combine');
  expect(matrixMode(c, 'web', 'production')).toBe('replace');
  expect(matrixMode(c, 'all', 'production')).toBe('combine');
  expect(rule(c, 'api', 'data-corruption')).toBe('1 from oncall (api production rule); and 1 from cto (P0 · Data corruption detected row)');
  expect(rule(c, 'web', 'data-corruption')).toBe('1 from cto (P0 · Data corruption detected row, in place of the web production rule)');
});

it('the catalog default `approval.matrix: combine` applies where a target says nothing', () => {
  const c = parseCatalog(
    `
warRoom: C0WARROOM
roles:
  oncall: { users: [U0ONCALL1] }
  lead: { users: [U0LEAD] }
  cto: { users: [U0CTO] }
approval: { from: [oncall, lead], count: 1, matrix: combine }
services:
  api:
    production: { driver: ecs, cluster: distrocv-prod, service: api }
matrix:
  data-corruption: { title: Data corruption detected, severity: P0, require: [cto], data: true }
`,
    'c.yaml',
  );
  expect(rule(c, 'api', 'data-corruption')).toBe('1 from oncall or lead (api production rule); and 1 from cto (P0 · Data corruption detected row)');
});
