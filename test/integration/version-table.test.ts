import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually, startHarness, USERS, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** The version table's reply, as the response_url received it. */
async function versionTable(h: Harness, text: string) {
  const before = h.slack.responses.length;
  await h.slack.slashCommand(h.eventsUrl, { text, user_id: USERS.oncall, channel_id: 'C0DEVCHAT' });
  return eventually(() => h.slack.responses.slice(before).find((r) => String(r.body.text).startsWith('*Versions in')), 'the version table');
}

it('/rollback versions production answers every target: ECS task definitions, each Deployment, the flag', async () => {
  const reply = await versionTable(h, 'versions production');
  const text = String(reply.body.text);
  expect(text).toMatch(/• api: distrocv-api:3 \(api:v2\.0\.1\) · distrocv-api:2 \(api:v2\.0\.0\) · \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  expect(text).toMatch(/• web · skillancer-web: revision 3 \([^)]*rc\.6\) · revision 2 \([^)]*rc\.5\) · \d{4}-/);
  expect(text).toMatch(/• web · skillancer-api: revision 3 \([^)]*rc\.6\) · revision 2 \([^)]*rc\.5\) · \d{4}-/);
  expect(text).toMatch(/• NewMatchingAlgorithm: 2: "true" on [^·]* · 1: "false" on [^·]* · \d{4}-/);
  const blocks = reply.body.blocks as { type: string; fields?: { text: string }[] }[];
  expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Versions in production' } });
  expect(blocks.filter((b) => b.type === 'section')).toHaveLength(4);
  expect(blocks[1]?.fields?.map((f) => f.text.split('\n')[0])).toEqual(['*Current*', '*Previous*', '*Changed*']);
});

it('one unreadable target shows its error in its own row; the rest of the table still answers', async () => {
  h.kube.close();
  const text = String((await versionTable(h, 'versions production')).body.text);
  expect(text).toMatch(/• web: :warning: /);
  expect(text).toMatch(/• api: distrocv-api:3/);
  expect(text).toMatch(/• NewMatchingAlgorithm: 2: "true"/);
});

it('an unknown environment is refused with the ones that exist', async () => {
  const before = h.slack.responses.length;
  await h.slack.slashCommand(h.eventsUrl, { text: 'versions prod', user_id: USERS.oncall, channel_id: 'C0DEVCHAT' });
  const reply = await eventually(() => h.slack.responses.slice(before).find((r) => String(r.body.text).includes('versions')), 'the refusal');
  expect(String(reply.body.text)).toBe(
    ':warning: No target has an environment `prod`. Usage: `/rollback versions <environment>` with one of `production`, `staging`.',
  );
});
