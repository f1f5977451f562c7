import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const image = (d: string) =>
  (h.kube.deployment('production', d) as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image;

it('rolls back skillancer-web and skillancer-api together from /rollback web production', async () => {
  await h.slack.slashCommand(h.eventsUrl, { text: 'web production checkout broken after rc.6', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const card = await eventually(() => h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), 'the card');
  const text = readable(card);
  expect(text).toMatch(/skillancer-web: revision 3 \([^)]*rc\.6\) → revision 2 \([^)]*rc\.5\)/);
  expect(text).toMatch(/skillancer-api: revision 3 \([^)]*rc\.6\) → revision 2 \([^)]*rc\.5\)/);

  // Hold the fake's controller until the wait step watches, so the thread shows the rollout progressing.
  h.kube.holdController(true);
  await h.slack.clickButton(h.eventsUrl, { user_id: USERS.lead, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
  await eventually(() => h.slack.thread(WAR_ROOM, card.ts).some((m) => m.text?.includes(':hourglass_flowing_sand: Wait until')), 'the wait step to start');
  h.kube.holdController(false);
  const rb = await eventually(async () => {
    const r = await h.rewind.services.store.get('RB-1');
    return r && ['succeeded', 'failed'].includes(r.state) ? r : undefined;
  }, 'the rollback to finish');
  expect(rb.error).toBeUndefined();
  expect(rb.state).toBe('succeeded');
  expect(image('skillancer-web')).toBe('registry.skillancer.com/skillancer-web:v1.0.0-rc.5');
  expect(image('skillancer-api')).toBe('registry.skillancer.com/skillancer-api:v1.0.0-rc.5');
  const thread = await eventually(() => {
    const t = h.slack
      .thread(WAR_ROOM, card.ts)
      .map((m) => m.text ?? '')
      .join('\n');
    return t.includes('RB-1 succeeded') ? t : undefined;
  }, 'the success message');
  expect(thread).toMatch(/\d\/3 updated/);
  // The outcome names the live revisions (the undo made revision 4 from revision 2), not the plan's.
  expect(thread).toMatch(/is on `skillancer-web revision 4 \([^)]*rc\.5\); skillancer-api revision 4 \([^)]*rc\.5\)`/);
  expect(await h.rewind.services.locks.holder('web/production')).toBeNull();

  // kubectl rollout history: the undo made revision 4 from revision 2's template.
  const before = h.slack.responses.length;
  await h.slack.slashCommand(h.eventsUrl, { text: 'history web production', user_id: USERS.oncall, channel_id: 'C0DEVCHAT' });
  const history = await eventually(
    () =>
      h.slack.responses
        .slice(before)
        .map((r) => String(r.body.text))
        .find((t) => t.includes('History of web production')),
    'the history',
  );
  expect(history).toMatch(/skillancer-web/);
  expect(history).toMatch(/rc\.5/);
});
