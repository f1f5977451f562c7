import { afterEach, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DB = `  db:
    production:
      driver: database
      instance: distrocv-prod
      secret: { id: distrocv/database }
      approval: { from: [cto], count: 1 }
`;

/** The harness catalog with a CTO, and a database target for production when `withDb`. */
const start = (withDb: boolean) =>
  startHarness({
    catalog: (yaml) =>
      yaml
        .replace('  lead: { users: [U0LEAD] }', '  lead: { users: [U0LEAD] }\n  cto: { users: [U0CTO] }')
        .replace('services:\n', withDb ? `services:\n${DB}` : 'services:\n'),
  });

async function requestCard(harness: Harness, text: string) {
  await harness.slack.slashCommand(harness.eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const card = await eventually(() => harness.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), 'the card');
  const request = await eventually(() => harness.slack.thread(WAR_ROOM, card.ts).find((m) => m.text?.includes('ROLLBACK REQUESTED')), 'the request');
  return { card: readable(card), thread: request.text ?? '' };
}

it('an application rollback under data corruption warns on the card and in the thread, naming the database restore', async () => {
  h = await start(true);
  const { card, thread } = await requestCard(h, 'web production sev data-corruption orders rewritten by rc.6');
  const warning =
    'Data corruption detected: rolling back the application may not repair data it already wrote. To restore the data: `/rollback db production at <a time before it began>` (`/rollback db production snapshots` lists snapshots).';
  expect(card).toContain(`:warning: *${warning}*`);
  expect(thread).toContain(`:warning: ${warning}`);
});

it('says so too when the environment has no database target, and stays quiet for other scenarios', async () => {
  h = await start(false);
  const { card, thread } = await requestCard(h, 'api production sev data-corruption orders rewritten by v2.0.1');
  expect(card).toContain('The catalog has no database target for production: restore the data by hand');
  expect(thread).toContain('rolling back the application may not repair data it already wrote');

  await h.slack.slashCommand(h.eventsUrl, { text: 'web production sev outage site down', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const outage = await eventually(
    () => h!.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('RB-2') && readable(m).includes('rollback_approve')),
    'the outage card',
  );
  expect(readable(outage)).not.toContain('may not repair data');
});
