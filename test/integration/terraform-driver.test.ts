import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/rollback.js';
import { createTerraformDriver } from '../../src/drivers/terraform/driver.js';
import { terraformDriver } from '../../src/drivers/terraform/index.js';
import { terraformTarget, type TerraformTarget } from '../../src/drivers/terraform/target.js';
import { stepContext } from '../fakes/aws/steps.js';
import { asExecutor } from '../support/driver.js';
import { eventually, readable, startHarness, USERS, WAR_ROOM, waitForState, type Harness } from '../support/harness.js';
import { refusal, stepFailure } from '../support/rejections.js';

/**
 * Both runbooks' "Infrastructure Rollback (Terraform)": plan on the card, apply exactly the approved
 * plan, refuse when it changed. Terraform is the fake in test/fakes/terraform.mjs over JSON files.
 */

const FAKE = resolve('test/fakes/terraform.mjs');
const PASSWORD = 'db-Pa55word-7781';
const log = pino({ level: 'silent' });
let dir: string;
let h: Harness | undefined;

/** The bad release is live (app:v2); the configuration with tag v1 goes back to app:v1 and adds a log bucket. */
function seed(extra: Record<string, unknown> = {}) {
  writeFileSync(
    join(dir, 'fake-config.json'),
    JSON.stringify({
      resources: {
        'module.ecs.aws_ecs_service.main': { image: 'app:${var.tag}', db_password: '${var.db_password}' },
        'module.ecs.aws_s3_bucket.logs': { name: 'skillancer-logs' },
        'aws_route53_record.www': { ttl: 60 },
        ...extra,
      },
    }),
  );
  writeFileSync(
    join(dir, 'state.json'),
    JSON.stringify({
      serial: 4,
      resources: { 'module.ecs.aws_ecs_service.main': { image: 'app:v2', db_password: PASSWORD }, 'aws_route53_record.www': { ttl: 60 } },
    }),
  );
}

const state = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { serial: number; resources: Record<string, Record<string, unknown>> };
const applies = () => (existsSync(join(dir, 'applies.log')) ? readFileSync(join(dir, 'applies.log'), 'utf8').trim().split('\n') : []);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rewind-tf-test-'));
  seed();
  process.env.REWIND_TEST_TF_DB_PASSWORD = PASSWORD;
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  delete process.env.REWIND_TEST_TF_DB_PASSWORD;
  rmSync(dir, { recursive: true, force: true });
});

function catalog(yaml: string): string {
  return yaml.replace(
    'services:\n',
    () => `services:
  infra:
    production:
      driver: terraform
      dir: ${dir}
      terraformBin: ${FAKE}
      vars: { tag: v1 }
      targets: [module.ecs]
      env: { TF_VAR_db_password: REWIND_TEST_TF_DB_PASSWORD }
      approval: { from: [oncall], count: 1 }
`,
  );
}

async function requestCard(harness: Harness) {
  await harness.slack.slashCommand(harness.eventsUrl, { text: 'infra production ecs module broken', user_id: USERS.requester, channel_id: 'C0DEVCHAT' });
  await waitForState(harness, 'RB-1', ['awaiting_approval']);
  return eventually(() => harness.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('rollback_approve')), 'the card');
}

const approve = (harness: Harness, ts: string) =>
  harness.slack.clickButton(harness.eventsUrl, { user_id: USERS.oncall, action_id: 'rollback_approve', value: 'RB-1', channel: WAR_ROOM, message_ts: ts });

const threadText = (harness: Harness, ts: string) =>
  harness.slack
    .thread(WAR_ROOM, ts)
    .map((m) => m.text ?? '')
    .join('\n');

describe('terraform from Slack', () => {
  it('puts the plan summary on the card, then applies exactly that plan once', { timeout: 30_000 }, async () => {
    h = await startHarness({ catalog });
    const card = await requestCard(h);
    const text = readable(card);
    expect(text).toContain('terraform plan: 1 to add, 1 to change, 0 to destroy');
    expect(text).toContain('~ module.ecs.aws_ecs_service.main (update)');
    expect(text).toContain('+ module.ecs.aws_s3_bucket.logs (create)');
    expect(text).toContain('targets: module.ecs');
    expect(text).toContain('vars: tag=`v1`');
    // Outside the -target: not planned, not shown.
    expect(text).not.toContain('aws_route53_record');
    expect(applies()).toEqual([]);

    await approve(h, card.ts);
    const rb = await waitForState(h, 'RB-1', ['succeeded', 'failed']);
    expect(rb.error).toBeUndefined();
    expect(rb.state).toBe('succeeded');
    expect(applies()).toEqual(['default serial 5']);
    expect(state().resources).toEqual({
      'module.ecs.aws_ecs_service.main': { image: 'app:v1', db_password: PASSWORD },
      'module.ecs.aws_s3_bucket.logs': { name: 'skillancer-logs' },
      'aws_route53_record.www': { ttl: 60 },
    });
    await eventually(() => threadText(h!, card.ts).includes('RB-1 succeeded'), 'the outcome');
    const thread = threadText(h, card.ts);
    expect(thread).toContain('fresh plan matches the approved one');
    expect(thread).toContain('Apply complete! Resources: 1 added, 1 changed, 0 destroyed.');
    const everything = JSON.stringify([h.slack.messages(WAR_ROOM), h.slack.responses, await h.rewind.services.store.get('RB-1')]);
    expect(everything).not.toContain(PASSWORD);
  });

  it('refuses as drift, applying nothing, when the plan changed between approval and execution', { timeout: 30_000 }, async () => {
    h = await startHarness({ catalog });
    const card = await requestCard(h);
    // Someone changes the configuration after the approvers saw the plan.
    seed({ 'module.ecs.aws_sqs_queue.jobs': { name: 'jobs' } });
    await approve(h, card.ts);
    const rb = await waitForState(h, 'RB-1', ['succeeded', 'failed']);
    expect(rb.state).toBe('failed');
    expect(rb.error).toMatchObject({
      name: 'PlanDrift',
      message:
        'Terraform now plans 2 to add, 1 to change, 0 to destroy, not the approved plan (1 to add, 1 to change, 0 to destroy): the infrastructure or the configuration changed since approval.',
      hint: 'Nothing was applied. Ask for a new plan and approval: `/rollback infra production`.',
    });
    expect(applies()).toEqual([]);
    expect(state().serial).toBe(4);
  });
});

describe('terraform driver', () => {
  const target = (extra: Record<string, unknown> = {}): TerraformTarget =>
    terraformTarget.parse({ driver: 'terraform', dir, terraformBin: FAKE, vars: { tag: 'v1' }, env: { TF_VAR_db_password: 'DB_PASSWORD' }, ...extra });
  const driver = () => asExecutor(terraformDriver, createTerraformDriver({ env: { PATH: process.env.PATH, DB_PASSWORD: PASSWORD }, progressInterval: 10 }));
  const plan = (t: TerraformTarget, version?: string): Promise<Plan> =>
    driver().plan({ rollbackId: 'RB-5', service: 'infra', environment: 'production', target: t, version }, { signal: new AbortController().signal, log });

  it('does not apply again after a crash that followed the apply: a fresh plan with no changes means done', async () => {
    const t = target();
    const p = await plan(t);
    const first = stepContext(p, 'apply', t, { rollbackId: 'RB-5', log });
    await expect(driver().runStep(first.context)).resolves.toMatchObject({ applied: true });
    expect(applies()).toHaveLength(1);

    // The worker died after the apply, before the step was marked done: the step runs again from its journal.
    const again = stepContext(p, 'apply', t, { rollbackId: 'RB-5', log, journal: first.journal });
    await expect(driver().runStep(again.context)).resolves.toMatchObject({ applied: false, upToDate: true });
    expect(applies()).toHaveLength(1);
    expect(again.progress).toContain('terraform plan shows no changes: the approved plan is already applied');
  });

  it('plans and applies in the configured workspace, with var files and TF_VAR_ secrets from the worker', async () => {
    writeFileSync(join(dir, 'previous-values.tfvars'), 'tag = "v0"\n');
    const t = target({ vars: {}, varFiles: ['previous-values.tfvars'], workspace: 'staging' });
    const p = await plan(t);
    // The staging workspace has no state yet: everything is created there, with the var file's tag.
    expect(p.target).toBe('terraform plan: 3 to add, 0 to change, 0 to destroy');
    expect(p.changes).toContain('var files: previous-values.tfvars');
    expect(p.current).toBe(`${dir} (workspace staging) as it is now`);
    const run = stepContext(p, 'apply', t, { rollbackId: 'RB-5', log });
    await driver().runStep(run.context);
    expect(applies()).toEqual(['staging serial 1']);
    const staging = JSON.parse(readFileSync(join(dir, 'terraform.tfstate.d', 'staging', 'state.json'), 'utf8')) as typeof state extends () => infer S
      ? S
      : never;
    expect(staging.resources['module.ecs.aws_ecs_service.main']).toEqual({ image: 'app:v0', db_password: PASSWORD });
    expect(state().serial).toBe(4);
    expect(JSON.stringify([p, run.progress])).not.toContain(PASSWORD);
  });

  it('does not guess when an earlier apply stopped part-way and the plan now differs', async () => {
    const t = target();
    const p = await plan(t);
    const journal = { 'apply-1': { startedAt: '2026-01-22T10:00:00.000Z', host: 'worker-a' } };
    seed({ 'aws_sqs_queue.jobs': { name: 'jobs' } });
    const error = await stepFailure(driver().runStep(stepContext(p, 'apply', t, { rollbackId: 'RB-5', log, journal }).context));
    expect(error.code).toBe('OutcomeUnknown');
    expect(error.hint).toContain('ask again with `/rollback infra production`');
    expect(applies()).toEqual([]);
  });

  it('refuses to plan `to <version>`, a configuration with nothing to change, and says why terraform failed', async () => {
    expect((await refusal(plan(target(), '41'))).message).toMatch(/^A Terraform target takes no `to <version>`/);
    expect((await refusal(plan(target({ vars: { tag: 'v2' }, targets: ['aws_route53_record.www'] })))).message).toMatch(
      /^Terraform reports no changes for .*: the infrastructure already matches the configuration, nothing to apply\.$/,
    );
    const missingVar = await refusal(plan(target({ vars: {} })));
    expect(missingVar.message).toMatch(
      /^Cannot plan infra production: terraform plan exited with code 1\.\nLast output:\n[\s\S]*No value for required variable "tag"\./,
    );
    const noBinary = await refusal(plan(target({ terraformBin: join(dir, 'terraform-not-here') })));
    expect(noBinary.message).toMatch(/terraform init did not start: .*terraform-not-here is not installed on the worker/);
  });
});
