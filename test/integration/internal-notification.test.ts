import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  // Skillancer's Deployments in a DistroCV catalog: the target names its own product.
  h = await startHarness({
    catalog: (yaml) =>
      yaml.replace('      deployments: [skillancer-web, skillancer-api]\n', '      deployments: [skillancer-web, skillancer-api]\n      product: Skillancer\n'),
  });
});
afterEach(async () => {
  await h.close();
});

/** Requests `text`, has `approver` approve it, waits for the end and returns the internal notification posted in the thread. */
async function notificationOf(id: string, text: string, approver: string): Promise<string> {
  await h.slack.slashCommand(h.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const card = await eventually(
    () => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes(`Rollback ${id} `) && readable(m).includes('rollback_approve')),
    `the card of ${id}`,
  );
  await h.slack.clickButton(h.eventsUrl, { user_id: approver, action_id: 'rollback_approve', value: id, channel: WAR_ROOM, message_ts: card.ts });
  expect((await waitForState(h, id, ['succeeded', 'failed'])).state).toBe('succeeded');
  const posted = await eventually(
    () => h.slack.thread(WAR_ROOM, card.ts).find((m) => m.text?.includes('*Internal notification*')),
    `the notification of ${id}`,
  );
  return posted.text ?? '';
}

it('a flag says the value it set, in a notification that says it completed', async () => {
  const text = await notificationOf('RB-1', 'flag NewMatchingAlgorithm off production matching returns garbage', USERS.oncall);
  expect(text).toContain('Subject: [ROLLBACK] DistroCV NewMatchingAlgorithm set to "false" - completed');
  expect(text).toContain('> A rollback of DistroCV has been completed.');
  expect(text).toContain('- Version: NewMatchingAlgorithm set to "false"');
  expect(text).not.toContain('has been initiated');
  expect(text).not.toMatch(/Version: "true"/);
});

it('ECS keeps the release rolled back from; a target with its own product is headed with it', async () => {
  const ecs = await notificationOf('RB-1', 'api production error rate spiked', USERS.oncall);
  expect(ecs).toContain('Subject: [ROLLBACK] DistroCV distrocv-api:3');
  expect(ecs).toContain('- Rolled back to: distrocv-api:2');

  const kube = await notificationOf('RB-2', 'web production checkout broken', USERS.lead);
  expect(kube).toContain('Subject: [ROLLBACK] Skillancer skillancer-web revision 3');
  expect(kube).toContain('> A rollback of Skillancer has been completed.');
  expect(kube).not.toContain('DistroCV');
});
