import { describe, expect, it } from 'vitest';
import type { Authority, Requirement, RoleMembers } from '../../src/policy/authority.js';
import { authorityFor, decisionMatrix, type Classification, type MatrixMode, type PolicyCatalog } from '../../src/policy/matrix.js';
import { describeAuthority } from '../../src/policy/authority.js';
import { checkVote, describeMissing, evaluate } from '../../src/policy/quorum.js';

const ROLES = {
  oncall: ['U0O1', 'U0O2', 'U0BOTH'],
  lead: ['U0L1', 'U0L2', 'U0BOTH'],
  cto: ['U0CTO'],
  security: ['U0SEC'],
  'billing-lead': ['U0BILL'],
};
const members = (roles: Record<string, string[]> = ROLES): RoleMembers => Object.fromEntries(Object.entries(roles).map(([r, users]) => [r, new Set(users)]));
const CATALOG: PolicyCatalog = { roles: Object.fromEntries(Object.keys(ROLES).map((r) => [r, {}])) };
const SERVICE: Requirement = { label: 'api production', groups: [{ from: ['oncall', 'lead'], count: 1 }] };
const REQUESTER = 'U0REQ';

function authority(choice: Classification, catalog: PolicyCatalog = CATALOG, mode: MatrixMode = 'replace'): Authority {
  const res = authorityFor(decisionMatrix(catalog), SERVICE, choice, mode);
  if ('refusal' in res) throw new Error(res.refusal.message);
  return res.authority;
}

const votes = (users: string[], requester = REQUESTER, m = members()) => ({
  requester,
  members: m,
  approvals: users.map((user, i) => ({ user, at: `2026-01-22T10:0${i}:00Z` })),
});

describe('decision table: severity × roles × voters → decision', () => {
  const TWO_LEADS: PolicyCatalog = { ...CATALOG, severities: { P0: { label: 'Critical', rollback: 'yes', require: [{ from: ['lead'], count: 2 }] } } };
  const rows: [string, Classification, string[], 'approved' | 'pending', string?, PolicyCatalog?][] = [
    ['unclassified: the service rule alone, one on-call', {}, ['U0O1'], 'approved'],
    ['unclassified: nobody yet', {}, [], 'pending', '1 more from oncall or lead'],
    ['P0 outage: on-call alone is not enough', { scenario: 'outage' }, ['U0O1'], 'pending', '1 more from lead'],
    ['P0 outage: on-call + lead', { scenario: 'outage' }, ['U0O1', 'U0L1'], 'approved'],
    ['P0 outage: one person in both roles fills one slot only', { scenario: 'outage' }, ['U0BOTH'], 'pending', '1 more from'],
    ['P0 outage: the dual-role person takes the slot nobody else can', { scenario: 'outage' }, ['U0O1', 'U0BOTH'], 'approved'],
    ['P0 by severity id: on-call + lead', { severity: 'P0' }, ['U0L2', 'U0O2'], 'approved'],
    ['P0: the same person twice counts once', { severity: 'P0' }, ['U0O1', 'U0O1'], 'pending', '1 more from lead'],
    ['data corruption: CTO required', { scenario: 'data-corruption' }, ['U0O1'], 'pending', '1 more from cto'],
    ['data corruption: the CTO alone, the row replacing the service rule', { scenario: 'data-corruption' }, ['U0CTO'], 'approved'],
    ['security breach: CTO without security', { scenario: 'security-breach' }, ['U0CTO', 'U0L1'], 'pending', '1 more from security'],
    ['security breach: CTO + security, two people', { scenario: 'security-breach' }, ['U0CTO', 'U0SEC'], 'approved'],
    ['payments: on-call + billing lead', { scenario: 'payments' }, ['U0O1', 'U0BILL'], 'approved'],
    ['payments: two on-calls are not a billing lead', { scenario: 'payments' }, ['U0O1', 'U0O2'], 'pending', '1 more from billing-lead'],
    ['P2 with an override: on-call decides', { severity: 'P2', override: 'checkout is down for EU users' }, ['U0O1'], 'approved'],
    ['2 of lead: one lead', { severity: 'P0' }, ['U0L1'], 'pending', '1 more from lead', TWO_LEADS],
    ['2 of lead: two leads', { severity: 'P0' }, ['U0L1', 'U0L2'], 'approved', undefined, TWO_LEADS],
    ['2 of lead: one lead clicking twice', { severity: 'P0' }, ['U0L1', 'U0L1'], 'pending', '1 more from lead', TWO_LEADS],
  ];
  it.each(rows)('%s', (_name, choice, voters, expected, missing, catalog) => {
    const decision = evaluate(authority(choice, catalog), votes(voters));
    expect(decision.status).toBe(expected);
    if (missing) {
      expect(decision.status).toBe('pending');
      if (decision.status === 'pending') expect(describeMissing(decision.missing)).toContain(missing);
    }
  });

  it('never counts the requester, even as a member of every role', () => {
    const lead = 'U0L1';
    const a = authority({ severity: 'P0' });
    expect(evaluate(a, votes([lead, 'U0O1'], lead)).status).toBe('pending');
    expect(evaluate(a, votes([lead, 'U0O1', 'U0L2'], lead))).toMatchObject({ status: 'approved', counted: ['U0O1', 'U0L2'] });
    expect(checkVote(a, lead, votes([], lead))).toMatchObject({ code: 'not_allowed', message: expect.stringMatching(/You requested this rollback/) });
  });

  it('recounts against current membership: someone removed from a role between click and execution no longer counts', () => {
    const a = authority({ scenario: 'outage' });
    const atClick = evaluate(a, votes(['U0O1', 'U0L1']));
    expect(atClick.status).toBe('approved');
    const leadRemoved = members({ ...ROLES, lead: ['U0L2', 'U0BOTH'] });
    const atExecution = evaluate(a, votes(['U0O1', 'U0L1'], REQUESTER, leadRemoved));
    expect(atExecution.status).toBe('pending');
    if (atExecution.status === 'pending') expect(describeMissing(atExecution.missing)).toBe('1 more from lead');
  });

  it('expires: past its deadline a request is expired whatever the votes, and refuses new votes', () => {
    const a = authority({ severity: 'P0' });
    const expiresAt = new Date('2026-01-22T10:30:00Z');
    const before = { at: new Date('2026-01-22T10:29:59Z'), expiresAt };
    const after = { at: new Date('2026-01-22T10:30:00Z'), expiresAt };
    expect(evaluate(a, votes(['U0O1', 'U0L1']), before).status).toBe('approved');
    expect(evaluate(a, votes(['U0O1', 'U0L1']), after).status).toBe('expired');
    expect(checkVote(a, 'U0L1', votes(['U0O1']), before)).toBeUndefined();
    expect(checkVote(a, 'U0L1', votes(['U0O1']), after)).toMatchObject({ code: 'expired' });
  });

  it('refuses outsiders and second votes with a message naming who may approve', () => {
    const a = authority({ scenario: 'data-corruption' });
    const outsider = checkVote(a, 'U0NOBODY', votes([]));
    expect(outsider).toMatchObject({ code: 'not_allowed' });
    expect(outsider?.message).toMatch(/Only cto may approve/);
    expect(checkVote(authority({ scenario: 'data-corruption' }, CATALOG, 'combine'), 'U0NOBODY', votes([]))?.message).toMatch(
      /Only oncall or lead or cto may approve/,
    );
    expect(checkVote(a, 'U0CTO', votes(['U0CTO']))).toMatchObject({ code: 'done' });
    expect(checkVote(a, 'U0CTO', votes(['U0O1']))).toBeUndefined();
  });
});

describe('matrix row and service rule', () => {
  it('a classified request needs the row instead of the service rule (replace), or both (combine)', () => {
    const replaced = authority({ scenario: 'data-corruption' });
    expect(replaced.requirements).toEqual([{ label: 'P0 · Data corruption detected', groups: [{ from: ['cto'], count: 1 }], row: true }]);
    expect(describeAuthority(replaced)).toBe('1 from cto (P0 · Data corruption detected row, in place of the api production rule)');
    expect(evaluate(replaced, votes(['U0O1'])).status).toBe('pending');

    const combined = authority({ scenario: 'data-corruption' }, CATALOG, 'combine');
    expect(combined.requirements.map((r) => r.label)).toEqual(['api production', 'P0 · Data corruption detected']);
    expect(describeAuthority(combined)).toBe('1 from oncall or lead (api production rule); and 1 from cto (P0 · Data corruption detected row)');
    const cto = evaluate(combined, votes(['U0CTO']));
    expect(cto.status).toBe('pending');
    if (cto.status === 'pending') expect(describeMissing(cto.missing)).toBe('1 more from oncall or lead');
    expect(evaluate(combined, votes(['U0CTO', 'U0O1'])).status).toBe('approved');
  });

  it('an unclassified request keeps the service rule; a defaultSeverity the requester did not choose adds its row', () => {
    expect(describeAuthority(authority({}))).toBe('1 from oncall or lead (api production rule)');
    const byDefault = authority({}, { ...CATALOG, defaultSeverity: 'P0' });
    expect(byDefault.requirements.map((r) => r.label)).toEqual(['api production', 'P0 · Critical']);
    expect(byDefault.replaced).toBeUndefined();
  });
});

describe('classification', () => {
  it('P2/P3 advise fix forward: a rollback needs an override reason, which is kept', () => {
    const refused = authorityFor(decisionMatrix(CATALOG), SERVICE, { scenario: 'minor-feature' });
    expect(refused).toMatchObject({ refusal: { code: 'needs_override' } });
    expect('refusal' in refused && refused.refusal.message).toMatch(/P3 · Minor feature broken: the decision matrix says \*fix forward\*/);
    expect(authorityFor(decisionMatrix(CATALOG), SERVICE, { severity: 'P2', override: '   ' })).toMatchObject({ refusal: { code: 'needs_override' } });
    const ok = authority({ severity: 'P3', override: ' users cannot log in ' });
    expect(ok).toMatchObject({ override: 'users cannot log in', severity: { id: 'P3', advice: 'fix-forward' } });
  });

  it('a scenario brings its severity, rollback type and estimate; an explicit severity wins', () => {
    expect(authority({ scenario: 'data-corruption' })).toMatchObject({
      severity: { id: 'P0', label: 'Critical', advice: 'rollback' },
      scenario: { id: 'data-corruption', rollbackType: 'Database PITR', estimateMs: 30 * 60_000 },
    });
    expect(authority({ scenario: 'api-bug', severity: 'P1' }).severity).toMatchObject({ id: 'P1', advice: 'consider' });
  });

  it('a row needing a role the catalog lacks is refused with the fix, never silently weakened', () => {
    const noCto: PolicyCatalog = { roles: { oncall: {}, lead: {} } };
    const res = authorityFor(decisionMatrix(noCto), SERVICE, { scenario: 'data-corruption' });
    expect(res).toMatchObject({
      refusal: { code: 'missing_role', message: expect.stringMatching(/defines no role `cto`/), hint: expect.stringMatching(/roles\.cto/) },
    });
  });

  it('unknown names are refused with the valid choices; defaultSeverity classifies unclassified requests', () => {
    expect(authorityFor(decisionMatrix(CATALOG), SERVICE, { severity: 'P9' })).toMatchObject({ refusal: { code: 'unknown_severity' } });
    const bad = authorityFor(decisionMatrix(CATALOG), SERVICE, { scenario: 'meteor' });
    expect('refusal' in bad && bad.refusal.message).toMatch(/`outage`/);
    const strict = authority({}, { ...CATALOG, defaultSeverity: 'P0' });
    expect(strict.severity?.id).toBe('P0');
    expect(evaluate(strict, votes(['U0O1'])).status).toBe('pending');
  });
});
