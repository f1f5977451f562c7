import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/rollback.js';
import { createRunbookDriver } from '../../src/drivers/runbook/driver.js';
import { runbookDriver } from '../../src/drivers/runbook/index.js';
import { runbookTarget, type RunbookTarget } from '../../src/drivers/runbook/target.js';
import { stepContext, type StepOverrides } from '../fakes/aws/steps.js';
import { asExecutor } from '../support/driver.js';
import { refusal, stepFailure } from '../support/rejections.js';
import { notificationFor } from '../support/notification.js';

const log = pino({ level: 'silent' });
const SECRET = 'tok-9f8e7d6c5b4a';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rewind-runbook-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function target(steps: Record<string, unknown>, extra: Record<string, unknown> = {}): RunbookTarget {
  return runbookTarget.parse({ driver: 'runbook', steps, killGrace: '200ms', ...extra });
}

const workerEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, DEPLOY_TOKEN: SECRET, SLACK_BOT_TOKEN: 'xoxb-must-not-leak' });
const driver = () => asExecutor(runbookDriver, createRunbookDriver({ env: workerEnv(), progressInterval: 20 }));

async function plan(t: RunbookTarget, options: Record<string, string> = {}, version?: string): Promise<Plan> {
  return driver().plan(
    { rollbackId: 'RB-3', service: 'ops', environment: 'production', target: t, options, version },
    { signal: new AbortController().signal, log },
  );
}

function stepCtx(p: Plan, t: RunbookTarget, extra: StepOverrides<RunbookTarget> = {}) {
  return stepContext(p, p.steps[0]!.id, t, { rollbackId: 'RB-3', log, ...extra });
}

/** A pid whose process is gone (or a zombie waiting to be reaped) no longer runs anything. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('runbook driver', () => {
  it('kills the whole process group of a step that times out, and names the step', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    // The shell ignores SIGTERM (so SIGKILL is needed) and has a background grandchild in its group.
    const t = target({
      'slow-migration': { argv: ['sh', '-c', `trap '' TERM; sleep 30 & echo $! > ${pidFile}; echo started; wait`], timeout: '300ms' },
    });
    const p = await plan(t);
    const run = stepCtx(p, t);
    const error = await stepFailure(driver().runStep(run.context));

    expect(error.code).toBe('RunbookTimeout');
    expect(error.message).toBe('slow-migration ran longer than its 300ms timeout; Rewind killed its process group (SIGTERM, then SIGKILL).');
    expect(error.hint).toContain('Last output:\nstarted\n');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(await eventually(() => !running(grandchild))).toBe(true);
    expect(run.journal).toMatchObject({ 'attempt-1': { startedAt: expect.any(String) }, 'attempt-1-pid': expect.any(Number) });
  });

  it('streams the output tail into progress with the mapped secrets redacted, and records exit code and duration', async () => {
    const t = target({
      deploy: {
        argv: ['sh', '-c', 'echo "using token $TOKEN"; sleep 0.1; echo "slack: ${SLACK_BOT_TOKEN:-absent}"; echo done'],
        env: { TOKEN: 'DEPLOY_TOKEN' },
      },
    });
    const p = await plan(t);
    expect(p.changes).toContain('env: TOKEN (from DEPLOY_TOKEN) (values redacted from output)');
    // The notification names the command run, not "ops production as it is now".
    expect(notificationFor(p, 'ops')).toContain('- Version: ops production after running `sh -c');
    expect(notificationFor(p, 'ops')).not.toContain('as it is now');
    const run = stepCtx(p, t);
    const output = await driver().runStep(run.context);

    expect(output).toMatchObject({ step: 'deploy', exitCode: 0, tail: 'using token [redacted]\nslack: absent\ndone' });
    expect((output as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(100);
    expect(run.progress[0]).toBe('using token [redacted]');
    expect(run.progress.at(-1)).toContain('done');
    expect(JSON.stringify([output, run.progress])).not.toContain(SECRET);
  });

  it('posts each output line once: progress carries only the lines since the last post', async () => {
    const t = target({
      chatty: { argv: ['sh', '-c', 'echo one; echo two; sleep 0.1; echo three; sleep 0.1; echo four; printf five'] },
    });
    const p = await plan(t);
    const run = stepCtx(p, t);
    await driver().runStep(run.context);

    const lines = run.progress.flatMap((text) => text.split('\n'));
    expect(run.progress.length).toBeGreaterThan(1);
    expect(lines).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('passes a declared parameter as one argv element, never through a shell', async () => {
    const t = target({
      echo: {
        argv: [process.execPath, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '{name}'],
        // Deliberately loose pattern: even then nothing is interpreted.
        params: { name: { pattern: '^[A-Za-z0-9 ;$&|>]+$' } },
      },
    });
    const p = await plan(t, {}, 'x; touch pwned && echo $HOME > out');
    const output = (await driver().runStep(stepCtx(p, t).context)) as { tail: string };
    expect(JSON.parse(output.tail)).toEqual(['x; touch pwned && echo $HOME > out']);
    expect(existsSync('pwned')).toBe(false);
  });

  it('refuses parameters that do not match, look like options, or are missing, before anything runs', async () => {
    const t = target({
      rollback: {
        argv: ['./migrate.sh', 'down-to', '{migration}'],
        params: { migration: { pattern: '^[0-9]{8}_[A-Za-z0-9_]+$', description: 'the migration to go back to' } },
      },
    });
    expect((await refusal(plan(t, {}, '20260120_x; rm -rf /'))).message).toBe(
      '`20260120_x; rm -rf /` is not a valid migration for rollback: it must match ^[0-9]{8}_[A-Za-z0-9_]+$ (the migration to go back to), e.g. `/rollback ops production migration=<migration>`.',
    );
    const loose = target({ run: { argv: ['tool', '{arg}'], params: { arg: { pattern: '^.+$' } } } });
    expect((await refusal(plan(loose, {}, '--force'))).message).toBe(
      'arg may not start with "-" (it would be read as an option), e.g. `/rollback ops production arg=<arg>`.',
    );
    expect((await refusal(plan(t))).message).toBe(
      'Step rollback needs migration (the migration to go back to), matching ^[0-9]{8}_[A-Za-z0-9_]+$: e.g. `/rollback ops production migration=<migration>`.',
    );
  });

  it('starts a sequence part-way with `from`, and refuses unknown commands and parameters', async () => {
    const marker = join(dir, 'ran');
    const t = target({
      seq: {
        params: { name: { pattern: '^[a-z]+$' } },
        commands: [
          { name: 'first', argv: ['sh', '-c', 'echo "first $0" >> "$1"', '{name}', marker] },
          { name: 'second', argv: ['sh', '-c', 'echo second >> "$0"; exit 5', marker] },
          { name: 'third', argv: ['sh', '-c', 'echo third >> "$0"', marker] },
        ],
      },
    });
    const rest = await plan(t, { from: 'second', name: 'x' });
    expect(rest.steps.map((s) => s.id)).toEqual(['run-seq-second', 'run-seq-third']);
    expect(rest.changes).toContain('starts at second: 1 earlier command(s) not run');
    const error = await stepFailure(driver().runStep(stepCtx(rest, t).context));
    expect(error.message).toMatch(/^seq second exited with code 5 after/);
    expect(error.hint).toContain(
      'Nothing ran before it in this rollback. Not run: `sh -c \'echo third >> "$0"\' ' +
        marker +
        '`. Once fixed, run the rest from this command with `/rollback retry RB-3` (or `/rollback ops production from second name=x`), or finish by hand in this order.',
    );
    expect(readFileSync(marker, 'utf8')).toBe('second\n');

    expect((await refusal(plan(t, { from: 'fourth', name: 'x' }))).message).toBe(
      '`fourth` is not a command of step seq: its commands are `first`, `second`, `third`.',
    );
    expect((await refusal(plan(t, { name: 'x', migration: '1' }))).message).toBe('Step seq has no parameter `migration`: its parameters are `name`.');
  });

  it('makes the requester pick a step when there are several, and refuses unknown ones', async () => {
    const t = target({ first: { argv: ['true'] }, second: { argv: ['true'] } });
    const none = await refusal(plan(t));
    // Whole commands the grammar reads (commands/grammar.ts with the runbook grammar), not bare words.
    expect(none.choices).toEqual(['/rollback ops production step first', '/rollback ops production step second']);
    expect((await refusal(plan(t, { step: 'third' }))).message).toMatch(
      /^`third` is not a step of ops production\. Pick one of its runbook steps: `first`, `second`\./,
    );
    await expect(plan(t, {}, 'second')).resolves.toMatchObject({ target: 'second' });
  });

  it('refuses to plan a step whose env variable the worker lacks, naming it', async () => {
    const t = target({ migrate: { argv: ['true'], env: { DATABASE_URL: 'ORDERS_DATABASE_URL' } } });
    expect((await refusal(plan(t))).message).toBe(
      "Cannot run migrate: the worker has no environment variable ORDERS_DATABASE_URL, which step migrate needs: set it in the worker's environment (or fix the env mapping in the catalog).",
    );
  });

  it('says clearly when the program is missing', async () => {
    const t = target({ ef: { argv: ['dotnet-not-installed-here', 'ef'] } });
    const error = await stepFailure(driver().runStep(stepCtx(await plan(t), t).context));
    expect(error.code).toBe('RunbookNotStarted');
    expect(error.message).toMatch(/^ef did not start: dotnet-not-installed-here is not installed on the worker/);
  });

  it('fails a non-zero exit with the last output and the command to run by hand', async () => {
    const t = target({ fail: { argv: ['sh', '-c', 'echo "relation users does not exist" >&2; exit 3'] } });
    const error = await stepFailure(driver().runStep(stepCtx(await plan(t), t).context));
    expect(error.code).toBe('RunbookFailed');
    expect(error.message).toMatch(/^fail exited with code 3 after \d+m?s\.$/);
    expect(error.hint).toContain('Last output:\nrelation users does not exist\n');
    expect(error.permanent).toBe(true);
  });

  it('does not run a non-repeatable step twice when a crash left its outcome unknown', async () => {
    const marker = join(dir, 'ran');
    const t = target({ once: { argv: ['touch', marker] } });
    const p = await plan(t);
    expect(p.warnings?.[0]).toMatch(/not marked repeatable/);
    const run = stepCtx(p, t, { journal: { 'attempt-1': { startedAt: '2026-01-22T10:00:00.000Z', host: 'some-other-worker' } } });
    const error = await stepFailure(driver().runStep(run.context));
    expect(error.code).toBe('OutcomeUnknown');
    expect(existsSync(marker)).toBe(false);

    const repeatable = target({ once: { argv: ['touch', marker], repeatable: true } });
    const again = stepCtx(await plan(repeatable), repeatable, {
      journal: { 'attempt-1': { startedAt: '2026-01-22T10:00:00.000Z', host: 'some-other-worker' } },
    });
    await expect(driver().runStep(again.context)).resolves.toMatchObject({ exitCode: 0 });
    expect(existsSync(marker)).toBe(true);
  });

  it('does not repeat a step while the process group of any earlier attempt still runs on this worker', async () => {
    const marker = join(dir, 'ran');
    const t = target({ sync: { argv: ['touch', marker], repeatable: true } });
    const p = await plan(t);
    // Attempt 1 is long gone; attempt 2 was repeated, then its worker died with the command still running.
    const survivor = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    // Reaped only once Node sees it exit: until then the group still exists (as a zombie) for kill(-pid, 0).
    const reaped = new Promise((resolve) => survivor.once('exit', resolve));
    const host = hostname();
    const journal = {
      'attempt-1': { startedAt: '2026-01-22T10:00:00.000Z', host },
      'attempt-1-pid': 999_999_999,
      'attempt-2': { startedAt: '2026-01-22T10:05:00.000Z', host },
      'attempt-2-pid': survivor.pid!,
    };
    try {
      const error = await stepFailure(driver().runStep(stepCtx(p, t, { journal }).context));
      expect(error.code).toBe('RunbookStillRunning');
      expect(error.message).toBe(
        `sync from an earlier attempt (started 2026-01-22T10:05:00.000Z) is still running as process group ${survivor.pid} on ${host}.`,
      );
      expect(error.permanent).toBe(false);
      expect(existsSync(marker)).toBe(false);
      expect(journal).not.toHaveProperty('attempt-3');
    } finally {
      process.kill(-survivor.pid!, 'SIGKILL');
    }
    expect(await eventually(() => !running(survivor.pid!))).toBe(true);
    await reaped;

    const run = stepCtx(p, t, { journal });
    await expect(driver().runStep(run.context)).resolves.toMatchObject({ exitCode: 0 });
    expect(run.journal).toMatchObject({ 'attempt-3': { host }, 'attempt-3-pid': expect.any(Number) });
    expect(run.progress[0]).toBe('sync was interrupted in an earlier attempt; it is repeatable, running it again');
  });

  it('kills the process group when the rollback is cancelled mid-step', async () => {
    const pidFile = join(dir, 'child.pid');
    const t = target({ long: { argv: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], timeout: '1m' } });
    const controller = new AbortController();
    const run = stepCtx(await plan(t), t, { signal: controller.signal });
    const pending = driver().runStep(run.context);
    await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    controller.abort(new Error('cancelled by U0LEAD'));
    await expect(pending).rejects.toThrow('cancelled by U0LEAD');
    expect(await eventually(() => !running(Number(readFileSync(pidFile, 'utf8'))))).toBe(true);
  });
});
