import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE } from '../../sandbox/people.js';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox.js';
import { testRedisUrl } from '../support/redis.js';

/** Debian's Chromium (apt-get install chromium; .ci/run installs it). Never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let sandbox: Sandbox;
let profile: string;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's Chromium with \`apt-get install chromium\` (.ci/run does it).`);
  sandbox = await startSandbox({ redisUrl: testRedisUrl(), fast: true, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
  profile = await mkdtemp(join(tmpdir(), 'rewind-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 1500 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(10_000);
  await page.goto(sandbox.url);
  await page.locator('#live.on').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const cardOf = (header: string) => page.locator('.message', { has: page.locator('.bk-header', { hasText: header }) });
const card = () => cardOf('Rollback RB-1 · api production');
const thread = () => page.locator('.thread').first();

/** Whether a TCP connection to host:port opens (false when refused or silent for 2 s). */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function request(as: string, text: string) {
  await page.selectOption('#who', as);
  await page.fill('#composer-input', text);
  await page.press('#composer-input', 'Enter');
}

describe('npm run sandbox in a browser', () => {
  it('takes a rollback from the composer through approval to the success message and the internal notification', async () => {
    expect(await page.locator('#who').inputValue()).toBe(PEOPLE.requester.id);

    await request(PEOPLE.requester.id, '/rollback api production Error rate spiked');

    // The requester's acknowledgement is theirs alone; the card is the channel's.
    const ack = page.locator('.message.ephemeral', { hasText: 'RB-1: reading the live state of api production' });
    await ack.waitFor();
    await card().locator('.bk-button', { hasText: 'Approve' }).waitFor();
    const cardText = await card().innerText();
    expect(cardText).toContain('Awaiting approval');
    expect(cardText).toMatch(/distrocv-api:3 \(api:v2\.0\.1\)\s*→\s*distrocv-api:2 \(api:v2\.0\.0\)/);
    expect(cardText).toContain('@dana');
    expect(cardText).toMatch(/of 15m 00s RTO \(within\)/);
    // mrkdwn is rendered, not shown raw.
    expect(cardText).not.toContain('<@');
    expect(cardText).not.toContain('*State*');
    expect(await card().locator('.bk-button.primary').innerText()).toBe('Approve');
    expect(await card().locator('.bk-button.danger').innerText()).toBe('Reject');
    await thread().getByText('ROLLBACK REQUESTED').waitFor();

    await page.selectOption('#who', PEOPLE.oncall.id);
    await ack.waitFor({ state: 'detached' });

    await card().locator('.bk-button', { hasText: 'Approve' }).click();
    const dialog = page.locator('#confirm');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('Approve RB-1?');
    await page.click('#confirm-ok');

    await thread().getByText('RB-1 succeeded').waitFor({ timeout: 20_000 });
    await thread().getByText('Internal notification').waitFor();
    await card().getByText('Succeeded').waitFor();
    const threadText = await thread().innerText();
    expect(threadText).toContain('Subject: [ROLLBACK] DistroCV');
    expect(threadText).toContain('Reason: Error rate spiked');
    expect(threadText).toContain('Current Status: completed');
    expect(threadText).toMatch(/within the 15m 00s RTO/);
    expect(await card().locator('.bk-button').count()).toBe(0);
    await expect.poll(() => page.locator('#estate-items').innerText()).toContain('service on distrocv-api:2 (v2.0.0), 3/3 tasks running');

    // What the page showed is what happened: sam approved, ECS runs the earlier revision.
    const rb = await sandbox.rewind.services.store.get('RB-1');
    expect(rb?.state).toBe('succeeded');
    expect(rb?.approvals.map((a) => a.user)).toEqual([PEOPLE.oncall.id]);

    // Every follow-up the sandbox catalog turns on shows up: the status page (a local receiver) heard
    // "Investigating" at the start and "Resolved" at the end, Support was asked to pause responses.
    await expect.poll(() => page.locator('#status-page').innerText()).toMatch(/investigating · RB-1[\s\S]*resolved · RB-1/);
    expect(await page.locator('#status-page').innerText()).toContain('Investigating issues, remediation in progress.');
    expect(sandbox.statusPage.updates.map((u) => u.status)).toEqual(['investigating', 'resolved']);
    await expect.poll(() => page.locator('#elsewhere .channel-support').innerText()).toContain('Please pause customer responses about DistroCV');
    expect(threadText).toContain('Status page updated (investigating)');
    expect(threadText).toContain('Support asked in #support to pause customer responses');
    // The user notification is one press away, and lands in the user-facing channel.
    await thread().locator('.bk-button', { hasText: 'Post user notification' }).click();
    await expect.poll(() => page.locator('#elsewhere .channel-customer-updates').innerText()).toContain('Subject: Service Update - DistroCV');
    await thread().getByText('User notification posted to #customer-updates by @sam').waitFor();
    // One time convention on the page: UTC, 24 h, labelled.
    expect(await card().locator('.time').first().innerText()).toMatch(/^\d\d:\d\d:\d\d UTC$/);

    // The whole finished channel in one image: let the page grow instead of scrolling the message list.
    await mkdir('test-output', { recursive: true });
    await page.addStyleTag({ content: 'body { height: auto; grid-template-rows: auto; overflow: visible; } .messages { overflow: visible; }' });
    await page.screenshot({ path: 'test-output/sandbox.png', fullPage: true });
  });

  it('shows the deploy freeze the successful rollback left, from the real freeze API, and a fired alert as a suggestion resolved in place', async () => {
    // RB-1 (the test before) succeeded on api production: a CI step asking the freeze API gets 423.
    const held = page.locator('#freezes [data-freeze="api production"]');
    await expect.poll(() => held.innerText()).toContain('deploys held (423)');
    expect(await held.innerText()).toContain('RB-1 by dana');
    expect(await held.innerText()).toContain('/rollback unfreeze api production <reason>');
    expect(await page.locator('#freezes [data-freeze="skillancer production"]').innerText()).toContain('deploys open (200)');

    // "Fire alert" sends Alertmanager's webhook with the bearer token; Rewind suggests, never rolls back.
    const before = (await sandbox.rewind.services.store.recent(50)).length;
    expect(await page.locator('#alert-target').inputValue()).toBe('api production');
    await page.click('#fire-alert');
    const suggestion = page.locator('.message', { hasText: 'Suggested rollback of api production' });
    await suggestion.waitFor();
    expect(await suggestion.innerText()).toContain('HighErrorRate');
    expect(await suggestion.innerText()).toContain('5xx rate of api production above 1% for 5 minutes');

    // "Resolve alert" updates that same message; still one suggestion, still no rollback filed.
    await page.click('#resolve-alert');
    await expect.poll(() => suggestion.innerText()).toContain('The alert resolved. Nothing was changed');
    expect(await page.locator('.message', { hasText: 'Suggested rollback of api production' }).count()).toBe(1);
    expect((await sandbox.rewind.services.store.recent(50)).length).toBe(before);
  });

  it('asks a rejecting approver for the reason in a modal and shows the rejection', async () => {
    await request(PEOPLE.requester.id, '/rollback skillancer production Checkout errors after rc.6');
    const skillancer = cardOf('Rollback RB-2 · skillancer production');
    await skillancer.locator('.bk-button', { hasText: 'Reject' }).waitFor();

    await page.selectOption('#who', PEOPLE.lead.id);
    await skillancer.locator('.bk-button', { hasText: 'Reject' }).click();
    const modal = page.locator('#modal');
    await modal.getByText('Why reject it?').waitFor();
    expect(await page.locator('#modal-title').innerText()).toBe('Reject RB-2');
    await modal.locator('textarea').fill('Fix forward instead: the patch is ready');
    await page.click('#modal-submit');
    await modal.waitFor({ state: 'hidden' });

    await skillancer.getByText('Rejected').waitFor();
    // The card and the thread line are delivered separately; the reason lands in the thread too.
    const thread = page.locator('.thread', { hasText: 'ROLLBACK REQUESTED RB-2' });
    await thread.getByText('Fix forward instead: the patch is ready').waitFor();
    expect(await thread.innerText()).toContain('Fix forward instead: the patch is ready');
    expect((await sandbox.rewind.services.store.get('RB-2'))?.state).toBe('rejected');
  });

  it('rolls back a stack from its example button: one card with a section per component, live, approved by on-call and the lead', async () => {
    await page.selectOption('#who', PEOPLE.requester.id);
    await page.locator('#examples button', { hasText: '/rollback stack skillancer-p0 production' }).click();
    expect(await page.locator('#composer-input').inputValue()).toBe('/rollback stack skillancer-p0 production Site down after rc.6');
    await page.press('#composer-input', 'Enter');

    const stack = cardOf('Rollback RB-3 · skillancer-p0 production');
    await stack.locator('.bk-button', { hasText: 'Approve' }).waitFor();
    const sections = stack.locator('.bk-section');
    const maintenance = sections.filter({ hasText: 'maintenance (MAINTENANCE_MODE)' }).last();
    const app = sections.filter({ hasText: 'app (skillancer)' }).last();
    expect(await maintenance.innerText()).toMatch(/maintenance \(MAINTENANCE_MODE\) · ▫️ waiting\s*"false" \(version 1\) → "true"/);
    expect(await app.innerText()).toMatch(/app \(skillancer\) · ▫️ waiting · after maintenance/);
    expect(await app.innerText()).toContain('kubectl rollout undo');
    // mrkdwn and emoji rendered, not shown raw.
    const before = await stack.innerText();
    expect(before).not.toMatch(/\*maintenance\*|:white_small_square:|`/);
    expect(before).toContain('1 from oncall or lead and 1 from lead (different people)');

    for (const approver of [PEOPLE.oncall.id, PEOPLE.lead.id]) {
      await page.selectOption('#who', approver);
      await stack.locator('.bk-button', { hasText: 'Approve' }).click();
      await page.locator('#confirm').waitFor();
      await page.click('#confirm-ok');
      await page.locator('#confirm').waitFor({ state: 'hidden' });
      if (approver === PEOPLE.oncall.id)
        await page.locator('.thread', { hasText: 'ROLLBACK REQUESTED RB-3' }).getByText('still needed: 1 more from lead').waitFor();
    }

    const thread = page.locator('.thread', { hasText: 'ROLLBACK REQUESTED RB-3' });
    await thread.getByText('RB-3 succeeded').waitFor({ timeout: 20_000 });
    await stack.getByText('Succeeded').first().waitFor();
    await expect.poll(() => maintenance.innerText()).toContain('🟢 succeeded');
    await expect.poll(() => app.innerText()).toContain('🟢 succeeded · after maintenance');
    expect(await thread.innerText()).toMatch(
      // The live revision kubectl shows after the undo, not the plan's number.
      /maintenance \(MAINTENANCE_MODE\): rolled back, on "true"[\s\S]*app \(skillancer\): rolled back, on skillancer-web revision 4 \(/,
    );
    const panel = () => page.locator('#estate-items').innerText();
    await expect.poll(panel).toContain('MAINTENANCE_MODE = true');
    await expect.poll(panel).toMatch(/skillancer-web[\s\S]*revision 4 \(v1\.0\.0-rc\.5\), 3\/3 available/);
    await expect.poll(panel).toMatch(/skillancer-api[\s\S]*revision 4 \(v1\.0\.0-rc\.5\), 3\/3 available/);
    const rb = await sandbox.rewind.services.store.get('RB-3');
    expect(rb?.state).toBe('succeeded');
    expect(rb?.approvals.map((a) => a.user)).toEqual([PEOPLE.oncall.id, PEOPLE.lead.id]);
    await page.screenshot({ path: 'test-output/sandbox-stack.png', fullPage: true });
  });

  it("listens on loopback only: the bot, the page and the Slack fake cannot be reached on this machine's other addresses", async () => {
    // The bot is the real startRewind, which listens on every interface in production.
    expect(sandbox.rewind.address).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    const ports = { bot: sandbox.rewind.address!.port, page: Number(new URL(sandbox.url).port), 'Slack fake': Number(new URL(sandbox.slack.url).port) };
    for (const [name, port] of Object.entries(ports)) expect(await reachable('127.0.0.1', port), `${name} on 127.0.0.1:${port}`).toBe(true);
    // Every non-loopback IPv4 address of this machine (when it has none, the bound address above is the check).
    const others = Object.values(networkInterfaces())
      .flatMap((addresses) => addresses ?? [])
      .filter((a) => a.family === 'IPv4' && !a.internal)
      .map((a) => a.address);
    for (const address of others) {
      for (const [name, port] of Object.entries(ports)) expect(await reachable(address, port), `${name} on ${address}:${port}`).toBe(false);
    }
  });
});
