import { catalogProblems } from '../support/catalogs.js';
import { describe, expect, it } from 'vitest';
import { builtInMatrixWarnings } from '../../src/config/approval-checks.js';
import { parseCatalog } from '../../src/config/catalog.js';

const catalog = (roles: string, rest = '') => `
warRoom: C0WARROOM
roles:
${roles}
approval: { from: [oncall], count: 1 }
services:
  api:
    production: { driver: ecs, cluster: distrocv-prod, service: api }
${rest}`;

const problems = catalogProblems;

describe('start-up: every decision-matrix row can be approved', () => {
  it('a row without `require` takes a severity whose role is missing: refused at start-up with the fix, not mid-incident', () => {
    const found = problems(catalog('  oncall: { users: [U0ONCALL1] }', 'matrix:\n  outage: { title: Full regression, severity: P0 }\n'));
    expect(found).toEqual([
      'matrix.outage: has no `require`, so it takes severity P0\'s, which needs role "lead"; the catalog defines no such role (roles: oncall), so a request classified `sev outage` could never be approved. Fix: add `roles.lead` (Slack user ids or a user group), or give this row its own `require`',
    ]);
    expect(problems(catalog('  oncall: { users: [U0ONCALL1] }', 'matrix:\n  outage: { title: Full regression, severity: P0, require: [oncall] }\n'))).toEqual(
      [],
    );
  });

  it('a default severity nobody could approve stops start-up', () => {
    const found = problems(catalog('  oncall: { users: [U0ONCALL1] }', 'defaultSeverity: P1\n'));
    expect(found).toEqual([
      'defaultSeverity: severity P1 needs role "lead", which is not defined (roles: oncall), so no request could be approved. Fix: add `roles.lead`, or choose another severity',
    ]);
  });

  it('built-in rows whose roles are missing are start-up warnings naming the row, the role and the fix', () => {
    const parsed = parseCatalog(catalog('  oncall: { users: [U0ONCALL1] }\n  lead: { users: [U0LEAD] }'), 'rewind.config.yaml');
    const warnings = builtInMatrixWarnings(parsed);
    expect(warnings.map((w) => /row (\S+)/.exec(w)?.[1])).toEqual(['data-corruption', 'security-breach', 'payments']);
    expect(warnings[0]).toBe(
      'The built-in decision matrix\'s row data-corruption (Data corruption detected) needs role "cto", which the catalog does not define (roles: oncall, lead): a request classified `sev data-corruption` would be refused. Add `roles.cto` (Slack user ids or a user group), or write your own `matrix:` (docs/catalog.md).',
    );
    const own = parseCatalog(
      catalog('  oncall: { users: [U0ONCALL1] }\n  lead: { users: [U0LEAD] }', 'matrix:\n  outage: { title: Outage, severity: P0 }\n'),
      'c.yaml',
    );
    expect(builtInMatrixWarnings(own)).toEqual([]);
  });
});

describe('start-up: no rule asks for more people than hold its roles', () => {
  it('refuses a quorum larger than the role, naming who holds it', () => {
    const found = problems(
      catalog(
        '  oncall: { users: [U0ONCALL1] }\n  lead: { users: [U0LEAD] }',
        'stacks:\n  all: { production: { approval: { from: [lead], count: 2 }, components: { api: { service: api } } } }\n',
      ),
    );
    expect(found).toEqual([
      'stacks.all.production.approval: 2 from lead can never be met: 1 person holds those roles (U0LEAD) and each counts once, never for their own request. Add users to the roles or lower `count`',
    ]);
  });

  it('counts people, not role names: the CTO who is also security cannot fill both slots of "CTO + Security"', () => {
    const found = problems(
      catalog(
        '  oncall: { users: [U0ONCALL1] }\n  lead: { users: [U0LEAD] }\n  cto: { users: [U0ALEX] }\n  security: { users: [U0ALEX] }',
        'matrix:\n  security-breach: { title: Security breach, severity: P0, require: [cto, security] }\n',
      ),
    );
    expect(found).toEqual([
      'matrix.security-breach.require: 1 from cto and 1 from security can never be met: 1 person holds those roles (U0ALEX) and each counts once, never for their own request. Add users to the roles or lower `count`',
    ]);
  });

  it('skips roles resolved from Slack user groups at run time', () => {
    const rest = 'stacks:\n  all: { production: { approval: { from: [lead], count: 2 }, components: { api: { service: api } } } }\n';
    expect(problems(catalog('  oncall: { users: [U0ONCALL1] }\n  lead: { users: [U0LEAD], usergroups: [S0LEADS] }', rest))).toEqual([]);
    expect(problems(catalog('  oncall: { users: [U0ONCALL1] }\n  lead: { users: [U0LEAD, U0LEAD2] }', rest))).toEqual([]);
  });
});
