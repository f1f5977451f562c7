import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/grammar.js';
import { parseCatalog } from '../../src/config/catalog.js';
import type { Rollback } from '../../src/domain/rollback.js';
import { PEOPLE, WAR_ROOM, type Who } from '../../sandbox/people.js';
import { CATALOG_FILE, STACK_EXAMPLES, startSandbox, type Sandbox } from '../../sandbox/sandbox.js';
import type { FakeMessage } from '../fakes/slack.js';
import { eventually } from '../support/harness.js';
import { testRedisUrl } from '../support/redis.js';

/**
 * The sandbox's stacks (sandbox/catalog.yaml `stacks:` and the `matrix:` rows naming them), driven
 * through the page server's own endpoints, as the page's composer and buttons are: a stack request
 * plans every component on one card, an eligible sandbox person approves it, and every component's
 * fake changes, in the order `after` asks.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(): Promise<Sandbox> {
  sandbox = await startSandbox({ redisUrl: testRedisUrl(), fast: true, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return sandbox;
}

/** What the page posts when someone types or clicks (sandbox/page/app.js `post`). */
async function post(sb: Sandbox, path: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(new URL(path, sb.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}

const type = (sb: Sandbox, who: Who, text: string) => post(sb, '/api/command', { user: PEOPLE[who].id, text });

interface Button {
  action_id: string;
  value: string;
}

/** The card's Approve button, as the page finds it in the message's blocks. */
function approveButton(card: FakeMessage): Button | undefined {
  for (const block of (card.blocks ?? []) as { type: string; elements?: Button[] }[]) {
    const button = block.type === 'actions' ? block.elements?.find((e) => e.action_id === 'rollback_approve') : undefined;
    if (button) return button;
  }
  return undefined;
}

async function approve(sb: Sandbox, who: Who, card: FakeMessage): Promise<void> {
  const fresh = sb.slack.messages(WAR_ROOM.id).find((m) => m.ts === card.ts)!;
  const button = approveButton(fresh);
  expect(button, `${PEOPLE[who].name} finds no Approve button on the card`).toBeDefined();
  await post(sb, '/api/click', { user: PEOPLE[who].id, action_id: button!.action_id, value: button!.value, message_ts: card.ts });
}

/** The card's text as a person reads it: every section's text and fields. */
function cardText(message: FakeMessage): string {
  return ((message.blocks ?? []) as { text?: { text: string }; fields?: { text: string }[] }[])
    .map((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text)].filter(Boolean).join('\n'))
    .join('\n');
}

/** One section per component, starting `*<name>* (<service>) · <state>`. */
function componentSections(message: FakeMessage): string[] {
  return ((message.blocks ?? []) as { type: string; text?: { text: string } }[])
    .filter((b) => b.type === 'section' && /^\*[a-z0-9-]+\* \(/.test(b.text?.text ?? ''))
    .map((b) => b.text!.text);
}

async function cardOf(sb: Sandbox, id: string): Promise<FakeMessage> {
  return eventually(
    () => sb.slack.messages(WAR_ROOM.id).find((m) => !m.thread_ts && cardText(m).includes(`Rollback ${id}`) && approveButton(m)),
    `the card of ${id} with its Approve button`,
  );
}

async function settled(sb: Sandbox, id: string): Promise<Rollback> {
  return eventually(
    async () => {
      const rb = await sb.rewind.services.store.get(id);
      return rb && ['succeeded', 'failed', 'rejected', 'expired', 'cancelled'].includes(rb.state) ? rb : undefined;
    },
    `${id} to finish`,
    30_000,
  );
}

/** The estate panel's lines (what the page shows on the right). */
const estate = (sb: Sandbox) => sb.estate.view().items.flatMap((i) => i.lines.map((l) => `${i.title}: ${l}`));

/** The thread's lines, in the order the bot posted them. */
const thread = (sb: Sandbox, card: FakeMessage) => sb.slack.thread(WAR_ROOM.id, card.ts).map((m) => m.text ?? '');

/** `first` finished before `then` started, by the thread's component lines (several may share one message). */
function before(lines: string[], first: string, then: string): void {
  const text = lines.join('\n');
  const done = text.indexOf(`*${first}* · :large_green_circle: done`);
  const started = text.indexOf(`*${then}* · :arrow_forward: started`);
  expect(done, `the thread says ${first} is done`).toBeGreaterThanOrEqual(0);
  expect(started, `the thread says ${then} started`).toBeGreaterThan(done);
}

const DISTROCV_BEFORE = [
  'service on distrocv-api:3 (v2.0.1)',
  'live build: v2.0.1',
  'NewMatchingAlgorithm = true',
  'AppConfig feature-flags: version 3, complete',
];
const DISTROCV_AFTER = [
  'service on distrocv-api:2 (v2.0.0), 3/3 tasks running',
  'live build: v2.0.0-previous',
  'NewMatchingAlgorithm = false',
  'AppConfig feature-flags: version 2, complete',
];

/** The DistroCV stack ran to the end: each component's fake changed, one after the other, and the outcome says where each is. */
async function expectDistroCvRolledBack(sb: Sandbox, card: FakeMessage, id: string): Promise<void> {
  const rb = await settled(sb, id);
  expect(rb.error).toBeUndefined();
  expect(rb.state).toBe('succeeded');
  expect(rb.componentStates).toMatchObject({
    api: { state: 'succeeded' },
    frontend: { state: 'succeeded' },
    matching: { state: 'succeeded' },
  });
  const lines = estate(sb);
  for (const now of DISTROCV_AFTER)
    expect(
      lines.some((l) => l.includes(now)),
      `estate shows "${now}":\n${lines.join('\n')}`,
    ).toBe(true);

  const said = await eventually(() => {
    const t = thread(sb, card);
    return t.some((l) => l.includes(`${id} succeeded`)) ? t : undefined;
  }, `the outcome of ${id}`);
  before(said, 'api', 'frontend');
  before(said, 'frontend', 'matching');
  const outcome = said.find((l) => l.includes(`${id} succeeded`))!;
  expect(outcome).toContain('stack distrocv production is rolled back');
  for (const where of [
    'api (api): rolled back, on distrocv-api:2',
    'frontend (frontend): rolled back, on v2.0.0-previous',
    'matching (NewMatchingAlgorithm): rolled back, on "false" + version 2',
  ]) {
    expect(outcome).toContain(where);
  }
  // The card, re-rendered from the record, shows every component done.
  await eventually(
    () => componentSections(sb.slack.messages(WAR_ROOM.id).find((m) => m.ts === card.ts)!).every((s) => s.includes(':large_green_circle: succeeded')),
    'every component succeeded on the card',
  );
}

describe('the sandbox stacks', () => {
  it('`/rollback stack distrocv production`: API, then frontend, then the flags; one approval from on-call', async () => {
    const sb = await start();
    // The page offers the stack requests, and every example it offers is one the sandbox's catalog accepts.
    const workspace = (await (await fetch(new URL('/api/workspace', sb.url))).json()) as { examples: string[] };
    expect(workspace.examples).toEqual(expect.arrayContaining(STACK_EXAMPLES));
    const catalog = parseCatalog(readFileSync(CATALOG_FILE, 'utf8').replaceAll('{{sandbox}}', 'http://127.0.0.1:9'), CATALOG_FILE);
    for (const example of workspace.examples) expect(parseCommand(example.replace(/^\/rollback\s+/, ''), catalog), example).toMatchObject({ kind: 'rollback' });
    expect(parseCommand('full production', catalog)).toMatchObject({ service: 'distrocv', stack: true });
    expect(parseCommand('full production sev security-breach', catalog)).toMatchObject({ service: 'skillancer-p0', stack: true });

    const lines = estate(sb);
    for (const was of DISTROCV_BEFORE)
      expect(
        lines.some((l) => l.includes(was)),
        `estate starts with "${was}"`,
      ).toBe(true);

    await type(sb, 'requester', '/rollback stack distrocv production Full regression after v2.0.1');
    const card = await cardOf(sb, 'RB-1');
    const text = cardText(card);
    expect(text).toContain('Rollback RB-1 · distrocv production');
    expect(componentSections(card)).toEqual([
      expect.stringMatching(/^\*api\* \(api\) · :white_small_square: waiting\n`distrocv-api:3 \(api:v2\.0\.1\)` → `distrocv-api:2 \(api:v2\.0\.0\)`/),
      expect.stringMatching(/^\*frontend\* \(frontend\) · :white_small_square: waiting · after api\n`v2\.0\.1` → `v2\.0\.0-previous`/),
      // §5 as one flag: the parameter, then the AppConfig deployment.
      expect.stringMatching(
        /^\*matching\* \(NewMatchingAlgorithm\) · :white_small_square: waiting · after frontend\n`"true" \(version 2\) \+ version 3 .*` → `"false" \+ version 2`/,
      ),
    ]);
    // Every component asks for one from on-call or the lead; the stack adds nothing.
    expect(text).toContain('*Needs*: 1 from oncall or lead (stack distrocv production rule), never the requester');

    // The requester cannot approve their own request; sam (on-call) can.
    await approve(sb, 'requester', card);
    await approve(sb, 'oncall', card);
    await expectDistroCvRolledBack(sb, card, 'RB-1');
    expect((await sb.rewind.services.store.get('RB-1'))?.approvals.map((a) => a.user)).toEqual([PEOPLE.oncall.id]);
  });

  it('`/rollback full production`: the matrix row `outage` names the distrocv stack and asks for on-call and the lead', async () => {
    const sb = await start();
    await type(sb, 'requester', '/rollback full production Full regression after v2.0.1');
    const card = await cardOf(sb, 'RB-1');
    const text = cardText(card);
    expect(text).toContain('Rollback RB-1 · distrocv production');
    expect(text).toContain('*Severity* P0 Critical · Complete platform outage / full regression · recommended: Full stack, ~45m');
    expect(componentSections(card).map((s) => s.split(' ')[0])).toEqual(['*api*', '*frontend*', '*matching*']);
    expect(text).toContain(
      '*Needs*: 1 from oncall and 1 from lead (different people) (P0 · Complete platform outage / full regression row, in place of the stack distrocv production rule)',
    );

    await approve(sb, 'oncall', card);
    // On-call alone is not enough for a P0 outage: nothing moves until the lead approves too.
    await eventually(() => thread(sb, card).find((l) => l.includes('still needed: 1 more from lead')), "sam's approval, the lead still needed");
    expect((await sb.rewind.services.store.get('RB-1'))?.state).toBe('awaiting_approval');
    expect(estate(sb).some((l) => l.includes('service on distrocv-api:3 (v2.0.1)'))).toBe(true);
    await approve(sb, 'lead', card);
    await expectDistroCvRolledBack(sb, card, 'RB-1');
  });

  it('`/rollback full production sev security-breach`: maintenance mode on, then both Skillancer Deployments; the CTO and security approve', async () => {
    const sb = await start();
    await type(sb, 'requester', '/rollback full production sev security-breach Admin token leaked in rc.6');
    const card = await cardOf(sb, 'RB-1');
    const text = cardText(card);
    expect(text).toContain('Rollback RB-1 · skillancer-p0 production');
    expect(componentSections(card)).toEqual([
      expect.stringMatching(/^\*maintenance\* \(MAINTENANCE_MODE\) · :white_small_square: waiting\n`"false" \(version 1\)` → `"true"`/),
      expect.stringMatching(
        /^\*app\* \(skillancer\) · :white_small_square: waiting · after maintenance\n`skillancer-web revision 3 .*skillancer-api revision 3 .*` → `skillancer-web revision 2 .*skillancer-api revision 2 .*`/,
      ),
    ]);
    // The runbook's "CTO + Security required": the row is the rule, in place of the stack's On-call + Lead.
    expect(text).toContain(
      '*Needs*: 1 from cto and 1 from security (different people) (P0 · Security breach confirmed row, in place of the stack skillancer-p0 production rule)',
    );

    // lee wears the security hat in the sandbox.
    for (const who of ['lead', 'cto'] as const) await approve(sb, who, card);
    const rb = await settled(sb, 'RB-1');
    expect(rb.error).toBeUndefined();
    expect(rb.state).toBe('succeeded');
    expect(rb.componentStates).toMatchObject({ maintenance: { state: 'succeeded' }, app: { state: 'succeeded' } });
    const lines = estate(sb);
    for (const now of [
      'MAINTENANCE_MODE = true',
      'skillancer-web: revision 4 (v1.0.0-rc.5), 3/3 available',
      'skillancer-api: revision 4 (v1.0.0-rc.5), 3/3 available',
    ]) {
      expect(
        lines.some((l) => l.includes(now)),
        `estate shows "${now}":\n${lines.join('\n')}`,
      ).toBe(true);
    }
    const said = await eventually(() => {
      const t = thread(sb, card);
      return t.some((l) => l.includes('RB-1 succeeded')) ? t : undefined;
    }, 'the outcome');
    before(said, 'maintenance', 'app');
    // DistroCV was not part of it.
    expect(lines.some((l) => l.includes('service on distrocv-api:3 (v2.0.1)'))).toBe(true);
  });
});
