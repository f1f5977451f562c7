import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../src/config/errors.js';
import { changeLine, summarize } from '../../src/drivers/terraform/changes.js';
import { terraformTarget } from '../../src/drivers/terraform/target.js';
import { targetProblems } from '../support/target-catalog.js';

function problems(input: unknown): string[] {
  const result = terraformTarget.safeParse(input);
  return result.success ? [] : describeIssues(result.error.issues);
}

const show = (changes: { address: string; actions: string[]; after?: unknown }[]) =>
  JSON.stringify({
    format_version: '1.2',
    variables: { db_password: { value: 'not-for-anyone' } },
    resource_changes: changes.map((c) => ({ address: c.address, mode: 'managed', change: { actions: c.actions, before: null, after: c.after ?? null } })),
  });

describe('terraform catalog entry', () => {
  it('fills the defaults and keeps what the runbook needs (dir, var files, targets, workspace)', () => {
    const t = terraformTarget.parse({
      driver: 'terraform',
      dir: 'infrastructure/terraform/production',
      workspace: 'production',
      varFiles: ['previous-values.tfvars'],
      targets: ['module.ecs'],
    });
    expect(t).toMatchObject({ terraformBin: 'terraform', init: true, vars: {}, env: {}, planTimeout: 600_000, applyTimeout: 1_800_000 });
  });

  it('names the field and the fix for what start-up refuses', () => {
    expect(problems({ driver: 'terraform', workspace: 'prod env', targets: ['module.ecs; rm'] })).toEqual([
      'dir: missing: add it with the Terraform working directory, e.g. /srv/skillancer/infrastructure/terraform/production',
      'workspace: must be a workspace name (letters, digits, _ and -), e.g. production',
      'targets.0: must be a resource or module address, e.g. module.ecs',
    ]);
    expect(targetProblems('infra', 'driver: terraform\ndir: /srv/infra\nplanTimeout: soon')).toEqual([
      'services.infra.production.planTimeout: "soon" is not a duration: write it like 15m, 30s or 2h (how long init and plan may take)',
    ]);
  });
});

describe('terraform show -json summary', () => {
  it('counts real changes, drops no-op and read, and marks replacements', () => {
    const summary = summarize(
      show([
        { address: 'aws_instance.web', actions: ['delete', 'create'] },
        { address: 'aws_s3_bucket.logs', actions: ['create'] },
        { address: 'aws_route53_record.www', actions: ['no-op'] },
        { address: 'data.aws_ami.base', actions: ['read'] },
        { address: 'aws_sqs_queue.old', actions: ['delete'] },
      ]),
    )!;
    expect(summary.changes.map(changeLine)).toEqual(['-/+ aws_instance.web (replace)', '+ aws_s3_bucket.logs (create)', '- aws_sqs_queue.old (delete)']);
    expect([summary.add, summary.change, summary.destroy]).toEqual([2, 0, 2]);
  });

  it('digests the changes whatever their order, and tells different values apart; variables are not read', () => {
    const a = { address: 'a.x', actions: ['update'], after: { image: 'v1' } };
    const b = { address: 'b.y', actions: ['create'] };
    expect(summarize(show([a, b]))!.digest).toBe(summarize(show([b, a]))!.digest);
    expect(summarize(show([{ ...a, after: { image: 'v2' } }, b]))!.digest).not.toBe(summarize(show([a, b]))!.digest);
    expect(JSON.stringify(summarize(show([a, b])))).not.toContain('not-for-anyone');
    expect(summarize('Error: not json')).toBeUndefined();
    expect(summarize('{"resource_changes": [{"address": 1}]}')).toBeUndefined();
  });
});
