import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/rollback.js';
import { StepFailed } from '../../src/drivers/errors.js';
import { createRunbookDriver } from '../../src/drivers/runbook/driver.js';
import { runbookDriver } from '../../src/drivers/runbook/index.js';
import { runbookTarget, type RunbookTarget } from '../../src/drivers/runbook/target.js';
import { stepContext } from '../fakes/aws/steps.js';
import { asExecutor } from '../support/driver.js';

/**
 * The shipped example (examples/runbook/postgres/migrate.sh) against the PostgreSQL on this machine:
 * two migrations applied, then rolled back through the runbook driver, then the schema inspected.
 */

const ADMIN_URL = process.env.REWIND_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const log = pino({ level: 'silent' });

let database: string;
let url: string;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeEach(async () => {
  database = `rewind_t_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  // Trust auth ignores the password; it is here to prove the value never reaches the output.
  const admin_ = new URL(ADMIN_URL);
  admin_.password = 'pg-Secret-481';
  admin_.pathname = `/${database}`;
  url = admin_.toString();
});

afterEach(async () => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
});

function target(): RunbookTarget {
  return runbookTarget.parse({
    driver: 'runbook',
    steps: {
      'migrate-up': { argv: ['./migrate.sh', 'up'], cwd: 'examples/runbook/postgres', env: { DATABASE_URL: 'ORDERS_DATABASE_URL' }, timeout: '30s' },
      'rollback-migration': {
        argv: ['./migrate.sh', 'down-to', '{migration}'],
        cwd: 'examples/runbook/postgres',
        env: { DATABASE_URL: 'ORDERS_DATABASE_URL' },
        timeout: '30s',
        repeatable: true,
        params: { migration: { pattern: '^[0-9]{8}_[A-Za-z0-9_]+$', description: 'the migration to go back to' } },
      },
    },
    approval: { from: ['oncall'] },
  });
}

async function run(options: Record<string, string>, version?: string) {
  const t = target();
  const driver = asExecutor(
    runbookDriver,
    createRunbookDriver({ env: { PATH: process.env.PATH, HOME: process.env.HOME, ORDERS_DATABASE_URL: url }, progressInterval: 10 }),
  );
  const plan: Plan = await driver.plan(
    { rollbackId: 'RB-9', service: 'orders-db', environment: 'production', target: t, options, version },
    { signal: new AbortController().signal, log },
  );
  const { context, progress } = stepContext(plan, plan.steps[0]!.id, t, { rollbackId: 'RB-9', log });
  const output = await driver.runStep(context);
  return { plan, output: output as Record<string, unknown>, progress };
}

const columns = async () =>
  (await query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`)).map((r) => r.column_name);
const indexes = async () => (await query(`SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY indexname`)).map((r) => r.indexname);
const versions = async () => (await query('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);

describe('runbook driver: PostgreSQL migration rollback (examples/runbook/postgres)', () => {
  it('applies two migrations, rolls the newest back through Rewind, and leaves the older schema intact', async () => {
    const up = await run({ step: 'migrate-up' });
    expect(up.output).toMatchObject({ exitCode: 0 });
    expect(await versions()).toEqual(['20260120_create_users', '20260121_add_user_email']);
    expect(await columns()).toEqual(['id', 'name', 'created_at', 'email']);
    await query(`INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com')`);

    const down = await run({ step: 'rollback-migration' }, '20260120_create_users');
    expect(down.plan.changes[0]).toBe('run: `./migrate.sh down-to 20260120_create_users`');
    expect(down.plan.target).toBe('rollback-migration → 20260120_create_users');
    expect(down.output).toMatchObject({ step: 'rollback-migration', exitCode: 0 });
    expect(down.output.tail).toBe('rolling back 20260121_add_user_email\nnow at 20260120_create_users');
    expect(typeof down.output.durationMs).toBe('number');

    expect(await versions()).toEqual(['20260120_create_users']);
    expect(await columns()).toEqual(['id', 'name', 'created_at']);
    expect(await indexes()).toEqual(['users_pkey']);
    expect(await query('SELECT name FROM users')).toEqual([{ name: 'Ada' }]);
  });

  it('is safe to repeat: a second rollback to the same migration changes nothing', async () => {
    await run({ step: 'migrate-up' });
    await run({ step: 'rollback-migration', migration: '20260120_create_users' });
    const again = await run({ step: 'rollback-migration', migration: '20260120_create_users' });
    expect(again.output.tail).toBe('now at 20260120_create_users');
    expect(await versions()).toEqual(['20260120_create_users']);
  });

  it('fails with the script output (connection string redacted) when the migration is not applied', async () => {
    const error = await run({ step: 'rollback-migration', migration: '20260121_add_user_email' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StepFailed);
    const failed = error as StepFailed;
    expect(failed.code).toBe('RunbookFailed');
    expect(failed.message).toMatch(/^rollback-migration exited with code 2 after \d+m?s\.$/);
    expect(failed.hint).toContain('20260121_add_user_email is not applied; applied: ');
    expect(failed.hint).toContain('run it by hand: `./migrate.sh down-to 20260121_add_user_email`');
    expect(`${failed.message}${failed.hint}`).not.toContain('pg-Secret-481');
  });
});
