import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const responsesWith = (from: number, text: string) =>
  eventually(
    () =>
      h.slack.responses
        .slice(from)
        .map((r) => String(r.body.text))
        .find((t) => t.includes(text)),
    `a reply containing "${text}"`,
  );

const topLevel = () => h.slack.messages(WAR_ROOM).filter((m) => !m.thread_ts);

it('a 403 while planning tells the requester, and the war room once that Rewind itself is misconfigured', async () => {
  h.kube.setAllowedVerbs('deployments', ['list', 'watch', 'patch']);
  await h.slack.slashCommand(h.eventsUrl, { text: 'web production checkout broken', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const rb = await waitForState(h, 'RB-1', ['failed']);
  expect(rb.card).toBeUndefined();
  const reply = await responsesWith(0, 'RB-1 was not started');
  expect(reply).toContain('Forbidden: Kubernetes refused get deployment skillancer-web in namespace production (context fake) (403)');
  expect(reply).toContain('What you can do: Grant Rewind');
  expect(reply).toContain('in this namespace, then ask again.');
  expect(reply).not.toMatch(/[.;:,]\s*[.,]/);
  const alert = await eventually(() => topLevel()[0], 'the war-room line');
  expect(alert.text).toMatch(
    new RegExp(
      `^:no_entry: Rewind could not plan web production for <@${USERS.requester}> \\(RB-1\\): Forbidden: Kubernetes refused get deployment skillancer-web in namespace production \\(context fake\\) \\(403\\)`,
    ),
  );
  expect(alert.text).toContain(". Fix: Grant Rewind's identity the Role in docs/drivers/kubernetes.md");
  expect(alert.text).not.toMatch(/[.;:,]\s*[.,]/);
  expect(await h.rewind.services.locks.holder('web/production')).toBeNull();
  expect(topLevel()).toHaveLength(1);
});

it("Rewind's identity that may read but not patch: the war room hears the can-i refusal and its fix", async () => {
  h.kube.setAllowedVerbs('deployments', ['get', 'list', 'watch']);
  await h.slack.slashCommand(h.eventsUrl, { text: 'web production checkout broken', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  await waitForState(h, 'RB-1', ['failed']);
  const alert = await eventually(() => topLevel()[0], 'the war-room line');
  expect(alert.text).toBe(
    `:no_entry: Rewind could not plan web production for <@${USERS.requester}> (RB-1): Rewind's Kubernetes identity may read but not patch deployments.apps in namespace production (context fake), so it cannot roll back skillancer-web and skillancer-api. ` +
      'Fix: Grant it the verb "patch" on deployments (apiGroups: ["apps"]) in namespace production: the Role in docs/drivers/kubernetes.md (deployments: get, list, watch, patch; replicasets: list; pods: list), bound to Rewind\'s service account or user.',
  );
});

it('a refusal of the request itself (a revision that does not exist) stays with the requester', async () => {
  await h.slack.slashCommand(h.eventsUrl, { text: 'web production to 99 checkout broken', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  await waitForState(h, 'RB-1', ['failed']);
  const reply = await responsesWith(0, 'RB-1 was not started');
  expect(reply).toContain('revision 99 not found for skillancer-web');
  // The refusal wrote nothing for Slack: its outbox never had an entry (the line would be written with the state).
  expect(await h.rewind.services.outbox.undelivered('RB-1')).toMatchObject({ from: 0, entries: [] });
  expect(h.slack.messages(WAR_ROOM)).toHaveLength(0);
});

it('a retry refused at plan time says so in the thread of the rollback it re-runs, not only to the requester', async () => {
  await h.slack.slashCommand(h.eventsUrl, { text: 'web production checkout broken', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const card = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), 'the card');
  // Rewind's identity loses `patch` between the plan and the approval: the run fails at the patch.
  h.kube.setAllowedVerbs('deployments', ['get', 'list', 'watch']);
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.lead, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
  const failed = await waitForState(h, 'RB-1', ['failed']);
  expect(failed.error?.name).toBe('Forbidden');

  const before = h.slack.responses.length;
  await h.slack.slashCommand(h.eventsUrl, { text: 'retry RB-1 patch rights fixed?', user_id: USERS.oncall, channel_id: 'C0DEVCHAT' });
  const retry = await waitForState(h, 'RB-2', ['failed']);
  expect(retry.card).toBeUndefined();
  const reply = await responsesWith(before, 'RB-2 was not started');
  expect(reply).toContain('may read but not patch deployments.apps in namespace production');
  const line = await eventually(
    () => h.slack.thread(WAR_ROOM, card.ts).find((m) => m.text?.includes('RB-2 (retry of RB-1) was not started')),
    'the refusal in the thread of RB-1',
  );
  expect(line.text).toContain('Grant it the verb "patch" on deployments');
  expect(h.slack.thread(WAR_ROOM, card.ts).filter((m) => m.text?.includes('RB-2 (retry of RB-1)'))).toHaveLength(1);
});
