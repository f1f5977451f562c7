import { describe, expect, it } from 'vitest';
import { parseRollbackForm } from '../../commands/form.js';
import { parseCommand } from '../../commands/grammar.js';
import { parseCatalog } from '../../src/config/catalog.js';
import { DEFAULT_CHECKLIST } from '../../src/policy/checklist.js';
import { decisionMatrix } from '../../src/policy/matrix.js';
import { matrixText } from '../../src/slack/matrix.js';
import { readRequestForm, requestModal } from '../../src/slack/modal.js';
import { modalChoices } from '../../handlers/modal.js';

const catalog = parseCatalog(
  `
warRoom: C0WARROOM
roles: { oncall: { users: [U0ONCALL1] }, lead: { users: [U0LEAD] } }
approval: { from: [oncall] }
services:
  api:
    production: { driver: ecs, cluster: c, service: api }
`,
  'inline',
);

describe('/rollback grammar: classification, matrix, history', () => {
  it.each([
    ['', { kind: 'modal' }],
    ['matrix', { kind: 'matrix' }],
    ['history', { kind: 'history' }],
    ['history api', { kind: 'history', service: 'api' }],
    ['api production sev p0 site down', { kind: 'rollback', reason: 'site down', classification: { severity: 'P0' } }],
    [
      'api production to 41 severity data-corruption rows gone',
      { kind: 'rollback', version: '41', reason: 'rows gone', classification: { scenario: 'data-corruption' } },
    ],
    [
      'api production sev P3 override checkout broken for EU',
      { kind: 'rollback', reason: 'checkout broken for EU', classification: { severity: 'P3', override: 'checkout broken for EU' } },
    ],
    [
      'api production sev P2 checkout errors since v2.0.1 override fix needs a schema migration',
      {
        kind: 'rollback',
        reason: 'checkout errors since v2.0.1',
        classification: { severity: 'P2', override: 'fix needs a schema migration' },
      },
    ],
    ['api production plain reason', { kind: 'rollback', reason: 'plain reason' }],
    ['api production cannot override the cache', { kind: 'rollback', reason: 'cannot override the cache' }],
  ])('parses %j', (text, expected) => {
    const parsed = parseCommand(text, catalog);
    expect(parsed).toMatchObject(expected);
    if (expected.kind === 'rollback' && !('classification' in expected)) expect(parsed).not.toHaveProperty('classification');
  });

  it.each([
    ['api production sev', /`sev` needs a severity or scenario/],
    ['api production sev P9 x', /`P9` is neither a severity nor a scenario.*`P0`.*`outage`/],
    ['api production sev P3 override', /`override` needs the reason/],
    ['history web', /Unknown service `web`/],
  ])('refuses %j', (text, message) => {
    const parsed = parseCommand(text, catalog);
    expect(parsed.kind).toBe('error');
    if (parsed.kind === 'error') expect(parsed.message).toMatch(message);
  });

  it('shows the matrix with who approves and flags rows whose roles are missing', () => {
    const text = matrixText(decisionMatrix(catalog));
    expect(text).toContain('• *P0* Critical: roll back · approve: oncall + lead');
    expect(text).toContain('• *P3* Low: fix forward (a rollback needs an override reason) · approve: oncall');
    expect(text).toMatch(
      /`data-corruption` Data corruption detected · \*P0\* · approve: cto · Database PITR, ~30m 00s :warning: _needs role `cto`, not in the catalog_/,
    );
    expect(text).toContain('`ui-bug` UI bug · *P3* · approve: oncall · Frontend only, ~5m 00s');
  });
});

describe('the request form', () => {
  const view = requestModal(modalChoices(catalog), 'C0DEV');
  const complete = {
    target: { target: { selected_option: { value: 'api/production' } } },
    scenario: { scenario: { selected_option: { value: 'outage' } } },
    severity: { severity: { selected_option: null } },
    reason: { reason: { value: '  500s everywhere ' } },
    override: { override: { value: null } },
    version: { version: { value: '41' } },
    checklist: { checklist: { selected_options: DEFAULT_CHECKLIST.map((_, i) => ({ value: String(i) })) } },
  };

  it('offers every target, scenario with its estimate, severity and checklist item', () => {
    const json = JSON.stringify(view);
    expect(json).toContain('"value":"api/production"');
    expect(json).toContain('Complete platform outage / full regression (P0)');
    expect(json).toContain('Frontend only, ~5m 00s');
    expect(json).toContain('P3 · Low: fix forward');
    for (const item of DEFAULT_CHECKLIST) expect(json).toContain(item);
    expect(view.private_metadata).toBe('{"channel":"C0DEV"}');
  });

  it('turns a complete form into the same request the slash command makes', () => {
    expect(parseRollbackForm(readRequestForm(complete), catalog)).toEqual({
      kind: 'rollback',
      service: 'api',
      environment: 'production',
      version: '41',
      reason: '500s everywhere',
      classification: { scenario: 'outage' },
      checklist: [...DEFAULT_CHECKLIST],
    });
  });

  it('returns one error per field, keyed by block id', () => {
    const bad = {
      ...complete,
      target: { target: { selected_option: { value: 'api/nowhere' } } },
      reason: { reason: { value: '   ' } },
      version: { version: { value: '../../etc/passwd' } },
      checklist: { checklist: { selected_options: [{ value: '0' }] } },
    };
    const res = parseRollbackForm(readRequestForm(bad), catalog);
    expect('errors' in res && Object.keys(res.errors).sort()).toEqual(['checklist', 'reason', 'target', 'version']);
    expect('errors' in res && res.errors.checklist).toMatch(/not yet: The issue cannot be resolved with a quick fix/);
  });
});
