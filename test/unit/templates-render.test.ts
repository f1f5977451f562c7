import { catalogProblems } from '../support/catalogs.js';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import type { Rollback } from '../../src/domain/rollback.js';
import type { TimelineEvent } from '../../src/domain/timeline.js';
import { DEFAULT_TEMPLATES, renderTemplate, TEMPLATE_NAMES, unknownVariables } from '../../src/templates/render.js';
import { TEMPLATE_VARIABLES, templateVariables } from '../../src/templates/variables.js';

const RB: Rollback = {
  id: 'RB-7',
  target: 'api/production',
  service: 'api',
  environment: 'production',
  state: 'succeeded',
  requestedBy: 'U0REQ',
  reason: 'Error rate | spiked after deploy',
  plan: { driver: 'ecs', current: 'distrocv-api:3', target: 'distrocv-api:2', changes: [], steps: [], fingerprint: 'x', data: {} },
  approvals: [{ user: 'U0LEAD', at: '2026-01-22T10:01:00.000Z' }],
  policy: {
    severity: { id: 'P0', label: 'Critical', advice: 'rollback' },
    scenario: { id: 'outage', title: 'Complete platform outage', rollbackType: 'Full stack', estimateMs: 45 * 60_000 },
  },
  createdAt: '2026-01-22T10:00:00.000Z',
  updatedAt: '2026-01-22T10:04:12.000Z',
  finishedAt: '2026-01-22T10:04:12.000Z',
};
const TIMELINE: TimelineEvent[] = [
  { at: '2026-01-22T10:00:00.000Z', type: 'state', message: 'Requested by <@U0REQ>: Error rate | spiked', user: 'U0REQ' },
  { at: '2026-01-22T10:01:00.000Z', type: 'approval', message: 'Approved by <@U0LEAD>: approval rule met', user: 'U0LEAD' },
  { at: '2026-01-22T10:04:12.000Z', type: 'state', message: 'Rollback succeeded' },
];
const CTX = { product: 'DistroCV', rtoMs: 15 * 60_000, postMortemWithinMs: 48 * 3600_000, timeline: TIMELINE, names: { U0REQ: 'alice', U0LEAD: 'bob' } };

const BASE = `
warRoom: C0WARROOM
roles:
  oncall: { users: [U0ONCALL1] }
  lead: { users: [U0LEAD] }
approval: { from: [oncall], count: 1 }
services:
  api:
    production: { driver: ecs, cluster: c, service: api }
`;

const problems = (yaml: string) => catalogProblems(BASE + yaml);

describe('template variables', () => {
  it('documents exactly the variables it fills, and the runbook defaults use only those', () => {
    expect(Object.keys(templateVariables(RB, CTX)).sort()).toEqual(Object.keys(TEMPLATE_VARIABLES).sort());
    for (const name of TEMPLATE_NAMES) expect(unknownVariables(DEFAULT_TEMPLATES[name])).toEqual([]);
  });

  it('renders the DistroCV internal and user notifications', () => {
    const internal = renderTemplate('internalNotification', RB, CTX);
    expect(internal).toMatch(/^Subject: \[ROLLBACK\] DistroCV distrocv-api:3 - completed/);
    expect(internal).toContain('Rolled back to: distrocv-api:2');
    expect(internal).toContain('Post-mortem within 48 hours (by 2026-01-24 10:00 UTC)');
    const user = renderTemplate('userNotification', RB, CTX);
    expect(user).toContain('Subject: Service Update - DistroCV');
    expect(user).toContain('All systems are now operational.');
  });

  it('renders the Skillancer post-mortem with the recorded timeline as a table', () => {
    const md = renderTemplate('postMortem', RB, CTX);
    expect(md).toContain('# Incident Post-Mortem: DistroCV api production rollback (RB-7)');
    expect(md).toContain('**Duration:** 10:00 UTC - 10:04 UTC (4m 12s, within the 15m 00s RTO)');
    expect(md).toContain('**Severity:** P0 (Critical)');
    expect(md).toContain('**Author:** alice');
    expect(md).toContain('| Time (UTC) | Event |');
    expect(md).toContain('| 10:00:00 | Requested by @alice: Error rate \\| spiked |');
    expect(md).toContain('| 10:01:00 | Approved by @bob: approval rule met |');
    expect(md).toContain('## Root Cause');
    expect(md).toContain('| Action | Owner | Due Date |');
    expect(md).not.toMatch(/<@U/);
  });

  it('says investigating on the status page until the rollback succeeded', () => {
    expect(renderTemplate('statusPage', RB, CTX)).toMatch(/^Resolved: /);
    expect(renderTemplate('statusPage', { ...RB, state: 'failed' }, CTX)).toBe('Investigating issues, remediation in progress.');
  });

  it('uses a catalog template in place of the default', () => {
    expect(renderTemplate('userNotification', RB, CTX, { userNotification: '{product} is back ({duration}).' })).toBe('DistroCV is back (4m 12s).');
  });
});

describe('catalog: templates and decision matrix are validated at start-up', () => {
  it('names the key path and the known variables for an unknown {variable}', () => {
    const [problem, ...rest] = problems(`templates:\n  postMortem: "# {title} on {date} by {Author}"\n`);
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /^templates\.postMortem: unknown variables \{title\}, \{Author\}: fix the spelling or use one of .*\{product\}.*\{timeline_table\}/,
    );
  });

  it('refuses unknown template names', () => {
    expect(problems(`templates:\n  pagerNotice: hi\n`)[0]).toMatch(/^templates: unknown key "pagerNotice"/);
  });

  it('reads role groups in every form, and refuses undefined roles and severities', () => {
    const catalog = parseCatalog(
      `${BASE.replace('[U0LEAD]', '[U0LEAD, U0LEAD2, U0LEAD3]')}severities:\n  P0: { label: Critical, rollback: yes, require: [oncall, { role: lead, count: 2 }, { from: [oncall, lead] }] }\nmatrix:\n  outage: { title: Outage, severity: P0, estimate: 45m }\n`,
      'c.yaml',
    );
    expect(catalog.severities?.P0?.require).toEqual([
      { from: ['oncall'], count: 1 },
      { from: ['lead'], count: 2 },
      { from: ['oncall', 'lead'], count: 1 },
    ]);
    expect(catalog.matrix?.outage?.estimate).toBe(45 * 60_000);
    const found = problems(
      `severities:\n  P0: { label: Critical, rollback: yes, require: [{ role: cto }] }\nmatrix:\n  leak: { title: Leak, severity: high }\n  bad: { title: Bad, severity: P1 }\ndefaultSeverity: P1\n`,
    );
    expect(found).toContain('severities.P0.require.0.from.0: role "cto" is not defined: add it under roles, or use one of: oncall, lead');
    expect(found.some((p) => p.startsWith('matrix.leak.severity: must be a severity such as P0'))).toBe(true);
    expect(found).toContain('matrix.bad.severity: severity "P1" is not defined: use one of P0');
    expect(found).toContain('defaultSeverity: severity "P1" is not defined: use one of P0');
  });

  it('wants a channel id for userChannel and an env variable name for the status-page token', () => {
    const found = problems(`userChannel: "#status"\nstatusPage: { url: https://status.example.com/hook, tokenEnv: "sk_live_123" }\n`);
    expect(found.some((p) => p.startsWith('userChannel: must be a Slack channel id'))).toBe(true);
    expect(found.some((p) => p.startsWith('statusPage.tokenEnv: must be the NAME of an environment variable'))).toBe(true);
    expect(found.join('\n')).not.toContain('sk_live_123');
  });
});
