import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import type { Plan } from '../../src/domain/rollback.js';
import { databaseNextSteps } from '../../src/drivers/database/replan.js';
import { verificationHint } from '../../src/verify/escalation.js';
import { verifySteps, type VerifyStepInput } from '../../src/verify/steps.js';

const catalog = parseCatalog(readFileSync('examples/runbook/catalog.example.yaml', 'utf8'), 'catalog.example.yaml');

describe('verifySteps', () => {
  it('adds the target health, then quick checks, then one settle step before the metric checks', () => {
    const steps = verifySteps({ service: 'api', environment: 'production', target: catalog.services.api!.production! }, catalog);
    expect(steps.map((s) => [s.id, s.title])).toEqual([
      ['verify-health', 'Health check: GET https://api.distrocv.com/health answers 200'],
      ['verify-2-api-health', 'API health: GET https://api.distrocv.com/health answers 200 and status = "healthy"'],
      ['verify-3-smoke-tests', 'Smoke check smoke tests: `npm run test:smoke -- --env=production`'],
      ['verify-settle', 'Let 5m 00s of traffic through before reading metrics'],
      ['verify-4-error-rate', 'Metric check: error rate < 0.1 % over 5m 00s (CloudWatch)'],
      ['verify-5-average-latency', 'Metric check: average latency < 500 ms over 5m 00s (CloudWatch)'],
      ['verify-6-p95-latency', 'Metric check: p95 latency < 0.2 s over 5m 00s (CloudWatch)'],
    ]);
    expect(steps.every((s) => s.driver === 'verify')).toBe(true);
    expect(steps[0]!.input).toMatchObject({
      service: 'api',
      environment: 'production',
      escalation: [
        { role: 'cto', mentions: ['<@U0CTO>'] },
        { role: 'dba', mentions: ['<@U0DBA>'] },
      ],
      check: { type: 'http', url: 'https://api.distrocv.com/health', expectStatus: 200 },
    });
    expect(steps[3]!.input).toMatchObject({ settle: 300_000 });
    // Plan steps are stored as JSON: nothing may be lost on the way.
    expect(JSON.parse(JSON.stringify(steps))).toEqual(steps);
  });

  it('adds nothing for an environment without checks and a target without health', () => {
    expect(verifySteps({ service: 'migrations', environment: 'staging', target: catalog.services.migrations!.staging! }, catalog)).toEqual([]);
  });

  it('tells a failed data rollback how to undo it', () => {
    const [step] = verifySteps({ service: 'db', environment: 'production', target: catalog.services.db!.production! }, catalog);
    const input = step!.input as unknown as VerifyStepInput;
    const plan: Plan = {
      driver: 'database',
      current: 'distrocv-prod',
      target: 'distrocv-prod-rb-4 @ 2026-01-22 10:00:00 UTC',
      changes: [],
      steps: [],
      fingerprint: '',
      data: {},
    };
    expect(verificationHint(input, input.check!, plan, databaseNextSteps({ service: 'db', environment: 'production' }))).toBe(
      'Escalate now: cto (<@U0CTO>), dba (<@U0DBA>). Next: the rollback itself ran (distrocv-prod → distrocv-prod-rb-4 @ 2026-01-22 10:00:00 UTC) but this check still fails; ' +
        'check it by hand: curl -i https://api.distrocv.com/health. Then fix forward, or restore another point with `/rollback db production at <time>`. ' +
        'The old database instance is kept: to undo the data rollback, point the secret back at it (its previous version is AWSPREVIOUS) and redeploy.',
    );
  });
});
