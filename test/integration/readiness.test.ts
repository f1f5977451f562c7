import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { INTERACTIVE_QUEUE } from '../../jobs/queue.js';
import { Freezes } from '../../src/store/freezes.js';
import { DISTROCV_STACK } from '../support/catalogs.js';
import { eventually, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';

/** A Kubernetes app with one revision left, approved by a role of one person. */
const SOLO = `  solo:
    production:
      driver: kubernetes
      context: fake
      namespace: production
      deployments: [skillancer-solo]
      approval: { from: [dba], count: 1 }
`;
const STACK = `
readiness: { backupWindow: 24h, daily: "09:00" }${DISTROCV_STACK}`;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    catalog: (yaml) =>
      yaml.replace('  lead: { users: [U0LEAD] }\n', '  lead: { users: [U0LEAD] }\n  dba: { users: [U0LEAD] }\n').replace('flags:\n', `${SOLO}flags:\n`) + STACK,
  });
  h.kube.addDeployment('production', 'skillancer-solo', { replicas: 1, revisions: ['registry.example.com/skillancer/solo:1.0.0'] });
});
afterEach(async () => {
  await h.close();
});

/** Asks `/rollback ready …` and returns the checklist the worker answers with. */
async function ready(words: string): Promise<string> {
  const before = h.slack.responses.length;
  const res = await h.slack.slashCommand(h.eventsUrl, { text: `ready ${words}`, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  expect(res.status).toBe(200);
  const reply = await h.slack.waitFor(() => h.slack.responses.slice(before).find((r) => String(r.body.text ?? '').includes('Pre-deployment checklist')), {
    what: `the readiness of ${words}`,
  });
  expect(reply.body.response_type).toBe('ephemeral');
  return String(reply.body.text);
}

/** The table row of `label`: its marks in column order (previous, backup, health, approvers, not frozen). */
function marks(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`${label}  `));
  expect(line, `a table row for ${label} in\n${text}`).toBeDefined();
  return line!.slice(label.length).trim().split(/\s+/);
}

describe('/rollback ready: the pre-deployment checklist against live state', () => {
  it('an ECS service: ready, then not ready once the previous task definition is deregistered, with the fix', async () => {
    const text = await ready('api production');
    expect(text).toMatch(/^:white_check_mark: \*api production is ready\*/);
    expect(text).toContain('backups must cover the last 24h');
    expect(marks(text, 'api production')).toEqual(['ok', '-', 'ok', 'ok', 'ok']);
    expect(text).toContain('api production · backup: not a database (ecs)');

    h.ecs.deregisterTaskDefinition('distrocv-api:2');
    const after = await ready('api production');
    expect(after).toMatch(/^:warning: \*api production is not ready\*: 1 item to fix/);
    expect(marks(after, 'api production')).toEqual(['NO', '-', 'ok', 'ok', 'ok']);
    expect(after).toMatch(/:x: \*api production · previous version\*: distrocv-api:2, the last deployment before distrocv-api:3, is INACTIVE/);
    expect(after).toMatch(/\*Fix:\* Keep the previous revision ACTIVE/);
  });

  it('a platform that refuses the read: the previous version fails with the access fix, and the backup column says why it was not checked', async () => {
    h.ecs.failNext('DescribeServices', {
      type: 'AccessDeniedException',
      message: 'User: arn:aws:iam::123456789012:role/rewind is not authorized to perform: ecs:DescribeServices',
    });
    const text = await ready('api production');
    expect(marks(text, 'api production')).toEqual(['NO', '-', 'ok', 'ok', 'ok']);
    expect(text).toMatch(/:x: \*api production · previous version\*: could not check the live state: AccessDeniedException/);
    expect(text).toContain("Check Rewind's access to the platform");
    expect(text).toContain('api production · backup: the ecs driver could not read the live state');
  });

  it('Kubernetes: every Deployment keeps its previous ReplicaSet; one with a single revision and a one-person role is not ready', async () => {
    const web = await ready('web production');
    expect(marks(web, 'web production')).toEqual(['ok', '-', '-', 'ok', 'ok']);
    expect(web).toContain('web production · health URL: no `health` URL in the catalog');

    const solo = await ready('solo production');
    expect(solo).toMatch(/^:warning: \*solo production is not ready\*: 2 items to fix/);
    expect(marks(solo, 'solo production')).toEqual(['NO', '-', '-', 'NO', 'ok']);
    expect(solo).toMatch(
      /:x: \*solo production · previous version\*: skillancer-solo: only revision 1 \(solo:1\.0\.0\) is kept \(revisionHistoryLimit 10\), so `kubectl rollout undo` has nothing to go back to/,
    );
    expect(solo).toMatch(/:x: \*solo production · approvers\*: only <@U0LEAD> can approve \(1 from dba\), and a requester never approves their own rollback/);
    expect(solo).toMatch(/\*Fix:\* Add at least 1 more person to `roles\.dba`/);
  });

  it('a stack: one row per component, a frozen component and a failing health URL explained with their fixes', async () => {
    await new Freezes(h.rewind.services.redis, h.prefix).freezeOnce(
      'RB-7',
      [{ service: 'api', environment: 'production', rollback: 'RB-7', by: USERS.requester, reason: 'bad release', since: '2026-12-04T10:00:00.000Z' }],
      new Date(),
    );
    h.health.status = 503;
    const text = await ready('distrocv production');
    expect(text).toMatch(/^:warning: \*stack distrocv production is not ready\*: 2 items to fix/);
    expect(marks(text, 'matching (NewMatchingAlgorithm production)')).toEqual(['ok', '-', '-', 'ok', 'ok']);
    expect(marks(text, 'api (api production)')).toEqual(['ok', '-', 'NO', 'ok', 'NO']);
    expect(marks(text, 'web (web production)')).toEqual(['ok', '-', '-', 'ok', 'ok']);
    expect(text).toMatch(/:x: \*api \(api production\) · health URL\*: GET http:\/\/127\.0\.0\.1:\d+\/health → 503 \(expected 200\) after 1 attempt/);
    expect(text).toMatch(
      /:x: \*api \(api production\) · not frozen\*: deploys held since 2026-12-04 10:00 UTC by RB-7 \(<@U0REQ>\): bad release\n {6}\*Fix:\* Fix forward first; once the fix is out, an approver lifts it with `\/rollback unfreeze api production <reason>`/,
    );
    // The flag answers by planning the revert it would do (the harness seeds "false" then "true"): checked, ok.
    expect(text).not.toContain('the flag driver has no readiness check');
  });

  it('names what exists when the target is unknown', async () => {
    const res = await h.slack.slashCommand(h.eventsUrl, { text: 'ready nosuch production', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    expect(res.status).toBe(200);
    const reply = await h.slack.waitFor(() => h.slack.responses.find((r) => String(r.body.text ?? '').includes('nosuch')), { what: 'the refusal' });
    expect(String(reply.body.text)).toMatch(/Unknown service or stack `nosuch`\. Services: `api`, `web`, `solo`\. Stacks: `distrocv`\./);
  });

  it('the daily summary is scheduled from the catalog and tells the war room what is not ready, once a day', async () => {
    const queue = new Queue(INTERACTIVE_QUEUE, { connection: { url: h.env.REDIS_URL }, prefix: `${h.prefix}:bull` });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.find((j) => j.key === 'readiness-summary')).toMatchObject({ pattern: '0 9 * * *', tz: 'UTC' });

      // Two runs the same day (a retry, a second worker): one message.
      const first = await queue.add('readiness-summary', {});
      await eventually(async () => (await first.getState()) === 'completed', 'the first summary job');
      const second = await queue.add('readiness-summary', {});
      await eventually(async () => (await second.getState()) === 'completed', 'the second summary job');
      const posts = h.slack.messages(WAR_ROOM).filter((m) => m.text?.includes('Daily readiness'));
      expect(posts).toHaveLength(1);
      const text = posts[0]!.text!;
      expect(text).toMatch(/^:clipboard: \*Daily readiness \d{4}-\d\d-\d\d\*: 2 of 4 targets not ready for a rollback\./);
      expect(text).toContain('*solo production* (`/rollback ready solo production`)');
      expect(text).toMatch(/• approvers: only <@U0LEAD> can approve \(1 from dba\).* \*Fix:\* Add at least 1 more person to `roles\.dba`/);
      expect(text).toContain('*api staging*');
      expect(text).not.toContain('*api production*');
      expect(text).not.toContain('*web production*');
    } finally {
      await queue.close();
    }
  });
});
