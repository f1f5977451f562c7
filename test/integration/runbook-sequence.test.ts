import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness, type HarnessOptions } from '../support/harness.js';
import { killAll, spawnRewind } from '../support/processes.js';

/**
 * Skillancer §2a as one rollback: `prisma migrate resolve --rolled-back <name>`, then `prisma db push`,
 * asked for in Slack with the migration as a parameter. Each command appends to a log file, so the
 * tests see what ran, in which order, how many times.
 */

let dir: string;
let log: string;
let h: Harness | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rewind-seq-'));
  log = join(dir, 'ran.log');
});
afterEach(async () => {
  killAll();
  await h?.close();
  h = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** argv (as YAML flow, i.e. JSON) of a command that appends `words` and its one argument to the log; `exit` makes it fail after that. */
const record = (words: string, arg: string, exit = 0) => JSON.stringify(['sh', '-c', `echo "${words} $1" >> "$0"; exit ${exit}`, log, arg]);

/** db-push fails while `<log>.broken` exists, so a test can fix it between a rollback and its retry. */
const pushUnlessBroken = () => JSON.stringify(['sh', '-c', 'echo "db push $1" >> "$0"; test ! -e "$0.broken"', log, '--accept-data-loss']);

function catalog(pushExit: number | 'while-broken' = 0) {
  return (yaml: string) =>
    // A function replacer: the pattern's `$'` would be a replacement pattern in a string one.
    yaml.replace(
      'services:\n',
      () => `services:
  migrations:
    production:
      driver: runbook
      approval: { from: [oncall], count: 1 }
      steps:
        schema-rollback:
          title: Prisma schema rollback
          params:
            migration: { pattern: '^[0-9]{8}_[a-z0-9_]+$', description: the Prisma migration to mark rolled back, example: 20240101_add_x }
          commands:
            - { name: resolve, argv: ${record('resolve', '{migration}')} }
            - { name: db-push, argv: ${pushExit === 'while-broken' ? pushUnlessBroken() : record('db push', '--accept-data-loss', pushExit)}, repeatable: true }
        status:
          argv: ${record('status', 'now')}
`,
    );
}

async function start(opts: HarnessOptions = {}, pushExit: number | 'while-broken' = 0): Promise<Harness> {
  h = await startHarness({ catalog: catalog(pushExit), ...opts });
  return h;
}

const ran = () => readFileSync(log, 'utf8').trim().split('\n');

async function requestAndApprove(harness: Harness, text: string, eventsUrl = harness.eventsUrl) {
  await harness.slack.slashCommand(eventsUrl, { text, user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  const card = await eventually(
    () => harness.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')),
    'the card with its buttons',
    30_000,
  );
  await harness.slack.clickButton(eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: card.ts });
  return card;
}

const thread = (harness: Harness, ts: string) =>
  harness.slack
    .thread(WAR_ROOM, ts)
    .map((m) => m.text ?? '')
    .join('\n');

describe('runbook sequences from Slack', () => {
  it('runs both commands of the step in order as one rollback, with the parameter on the card', { timeout: 30_000 }, async () => {
    const harness = await start();
    const card = await requestAndApprove(harness, 'migrations production step schema-rollback migration=20240101_add_x bad migration');

    const cardText = readable(card);
    expect(cardText).toContain('parameters: migration=`20240101_add_x`');
    expect(cardText).toContain('1. resolve: `sh -c');
    expect(cardText).toContain('2. db-push: `sh -c');
    const rb = await waitForState(harness, 'RB-1', ['succeeded', 'failed']);
    expect(rb.error).toBeUndefined();
    expect(rb.state).toBe('succeeded');
    expect(rb.reason).toBe('bad migration');
    expect(rb.options).toEqual({ step: 'schema-rollback', migration: '20240101_add_x' });
    expect(ran()).toEqual(['resolve 20240101_add_x', 'db push --accept-data-loss']);
    const journal = await harness.rewind.services.journal.all('RB-1');
    // The journal is a hash (no order); the log above shows the order.
    expect(Object.fromEntries(Object.entries(journal).map(([id, step]) => [id, step.status]))).toEqual({
      'run-schema-rollback-resolve': 'done',
      'run-schema-rollback-db-push': 'done',
    });
    await eventually(() => thread(harness, card.ts).includes('RB-1 succeeded'), 'the outcome');
    expect(thread(harness, card.ts)).toContain(':white_check_mark: 2/2 db-push: `sh -c');
  });

  it('stops at a failed command and says what ran, what did not, and how to run the rest', { timeout: 30_000 }, async () => {
    const harness = await start({}, 4);
    const card = await requestAndApprove(harness, 'migrations production step schema-rollback migration=20240101_add_x');
    const rb = await waitForState(harness, 'RB-1', ['succeeded', 'failed']);
    expect(rb.state).toBe('failed');
    expect(rb.error?.stepId).toBe('run-schema-rollback-db-push');
    expect(rb.error?.message).toMatch(/^schema-rollback db-push exited with code 4 after/);
    expect(rb.error?.hint).toContain('Finished before it: resolve (not repeated).');
    expect(rb.error?.hint).toContain(
      'run the rest from this command with `/rollback retry RB-1` (or `/rollback migrations production step schema-rollback from db-push migration=20240101_add_x`)',
    );
    expect(ran()).toEqual(['resolve 20240101_add_x', 'db push --accept-data-loss']);
    await eventually(() => thread(harness, card.ts).includes('RB-1 failed'), 'the outcome');
  });

  it('a retry resumes from the command that failed, with the same parameters and the approval carried over', { timeout: 60_000 }, async () => {
    writeFileSync(`${log}.broken`, '');
    const harness = await start({}, 'while-broken');
    await requestAndApprove(harness, 'migrations production step schema-rollback migration=20240101_add_x bad migration');
    expect((await waitForState(harness, 'RB-1', ['succeeded', 'failed'])).state).toBe('failed');
    rmSync(`${log}.broken`);

    await harness.slack.slashCommand(harness.eventsUrl, { text: 'retry RB-1 schema fixed', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    const rb = await waitForState(harness, 'RB-2', ['succeeded', 'failed']);
    expect(rb.error).toBeUndefined();
    expect(rb.state).toBe('succeeded');
    expect(rb.options).toEqual({ step: 'schema-rollback', migration: '20240101_add_x', from: 'db-push' });
    expect(rb.approvals.map((a) => a.user)).toEqual([USERS.oncall]);
    // resolve ran once, in RB-1; db-push ran in both.
    expect(ran()).toEqual(['resolve 20240101_add_x', 'db push --accept-data-loss', 'db push --accept-data-loss']);
    expect(rb.plan?.steps.map((step) => step.id)).toEqual(['run-schema-rollback-db-push']);

    const card = await eventually(
      () => harness.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('Rollback RB-2')),
      'the card of RB-2',
    );
    expect(rb.reason).toBe('Retry of RB-1, resuming from db-push: resolve finished in RB-1 and does not run again: schema fixed');
    expect(readable(card)).toContain('Retry of RB-1, resuming from db-push');
    expect(readable(card)).toContain('starts at db-push: 1 earlier command(s) not run');
  });

  it('refuses a parameter that does not match its pattern, naming it, the pattern and an example, before anything runs', async () => {
    const harness = await start();
    const before = harness.slack.responses.length;
    await harness.slack.slashCommand(harness.eventsUrl, {
      text: 'migrations production step schema-rollback migration=20240101_x;reboot',
      user_id: USERS.requester,
      channel_id: 'C0DEVCHAT',
    });
    const reply = await eventually(
      () =>
        harness.slack.responses
          .slice(before)
          .map((r) => String(r.body.text))
          .find((t) => t.includes('not a valid')),
      'the refusal',
    );
    expect(reply).toContain(
      '`20240101_x;reboot` is not a valid migration for schema-rollback: it must match ^[0-9]{8}_[a-z0-9_]+$ (the Prisma migration to mark rolled back), e.g. `/rollback migrations production step schema-rollback migration=20240101_add_x`.',
    );
    expect((await harness.rewind.services.store.get('RB-1'))?.state).not.toBe('approved');
  });

  it('offers whole commands when the target has several steps and none was named', async () => {
    const harness = await start();
    const before = harness.slack.responses.length;
    await harness.slack.slashCommand(harness.eventsUrl, { text: 'migrations production', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
    const reply = await eventually(
      () =>
        harness.slack.responses
          .slice(before)
          .map((r) => String(r.body.text))
          .find((t) => t.includes('Pick one')),
      'the refusal',
    );
    expect(reply).toContain('`/rollback migrations production step schema-rollback migration=<migration>`');
    expect(reply).toContain('`/rollback migrations production step status`');
  });

  it('does not run a finished command again when the worker dies between the commands', { timeout: 90_000 }, async () => {
    const harness = await start({ role: 'web', tickMs: 1000 });
    // Dies as the second command is journaled as started, before it runs.
    const first = await spawnRewind(harness, { role: 'worker', failpoint: 'step-started:run-schema-rollback-db-push' });
    await requestAndApprove(harness, 'migrations production step schema-rollback migration=20240101_add_x');
    await first.exited;
    expect(ran()).toEqual(['resolve 20240101_add_x']);
    expect((await harness.rewind.services.store.get('RB-1'))?.state).toBe('running');

    await spawnRewind(harness, { role: 'worker' });
    const rb = await waitForState(harness, 'RB-1', ['succeeded', 'failed'], 45_000);
    expect(rb.error).toBeUndefined();
    expect(rb.state).toBe('succeeded');
    expect(ran()).toEqual(['resolve 20240101_add_x', 'db push --accept-data-loss']);
  });
});
