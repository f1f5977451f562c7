import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../src/config/errors.js';
import { DB_USAGE, parseDbRequest } from '../../src/drivers/database/grammar.js';
import { targetInstanceName } from '../../src/drivers/database/plan.js';
import { databaseTarget } from '../../src/drivers/database/target.js';
import { dataLoss, restoreWindow, windowChoices } from '../../src/drivers/database/window.js';

const NOW = new Date('2026-01-22T10:30:00Z');
const parse = (text: string) => parseDbRequest(text.split(' ').filter(Boolean), NOW);

describe('db request grammar', () => {
  it('reads absolute times with a zone and relative offsets', () => {
    expect(parse('at 2026-01-22T10:00Z')).toEqual({ mode: 'pitr', restoreTime: '2026-01-22T10:00:00.000Z' });
    expect(parse('at 2026-01-22T11:00:30+01:00')).toEqual({ mode: 'pitr', restoreTime: '2026-01-22T10:00:30.000Z' });
    expect(parse('at -15m')).toEqual({ mode: 'pitr', restoreTime: '2026-01-22T10:15:00.000Z' });
    expect(parse('AT -2h')).toEqual({ mode: 'pitr', restoreTime: '2026-01-22T08:30:00.000Z' });
  });

  it('reads snapshot listing and snapshot restores', () => {
    expect(parse('snapshots')).toEqual({ mode: 'list-snapshots' });
    expect(parse('snapshot rds:distrocv-prod-2026-01-21-03-00')).toEqual({ mode: 'snapshot', snapshotId: 'rds:distrocv-prod-2026-01-21-03-00' });
  });

  it('explains every way a request can be wrong', () => {
    expect(parse('')).toEqual({ error: DB_USAGE });
    expect(parse('at 2026-01-22T10:00')).toEqual({
      error: '`2026-01-22T10:00` is not a time Rewind can use: write it as `2026-01-22T10:00Z` (UTC) or `2026-01-22T11:00+01:00`, or relative like `-15m`.',
    });
    expect(parse('at 2026-02-30T10:00Z')).toMatchObject({ error: expect.stringContaining('is not a real date and time') });
    expect(parse('at 2026-01-23T10:00Z')).toEqual({
      error: '`2026-01-23T10:00Z` is in the future (now is 2026-01-22T10:30:00.000Z): pick a time before the problem started.',
    });
    expect(parse('at 15m')).toMatchObject({ error: expect.stringContaining('is not a time Rewind can use') });
    expect(parse('at')).toMatchObject({ error: expect.stringMatching(/^`at` needs a time after it/) });
    expect(parse('snapshot ../etc;ls')).toMatchObject({ error: expect.stringMatching(/is not an RDS snapshot id/) });
    expect(parse('snapshots please')).toMatchObject({ error: expect.stringMatching(/^Unexpected `please`/) });
    expect(parse('restore now')).toMatchObject({ error: expect.stringMatching(/^`restore` is not a database request/) });
  });
});

describe('restore window and data loss', () => {
  it('spans the retention period up to the latest restorable time', () => {
    const latest = new Date('2026-01-22T10:25:00Z');
    expect(restoreWindow({ latestRestorableTime: latest, retentionDays: 7 }, NOW)).toEqual({ earliest: new Date('2026-01-15T10:30:00Z'), latest });
    // A young instance: the window starts at its creation.
    const created = new Date('2026-01-20T00:00:00Z');
    expect(restoreWindow({ latestRestorableTime: latest, retentionDays: 7, createdAt: created }, NOW)).toEqual({ earliest: created, latest });
    expect(restoreWindow({ latestRestorableTime: latest, retentionDays: 0 }, NOW)).toMatchObject({
      unavailable: expect.stringContaining('backup retention 0 days'),
    });
  });

  it('offers only `at` times inside the window, however young the instance', () => {
    const w = (earliest: string, latest: string) => windowChoices({ earliest: new Date(earliest), latest: new Date(latest) });
    const parsedInside = (choices: string[], earliest: string, latest: string) =>
      choices.every((c) => {
        const at = parseDbRequest(c.split(' '), NOW);
        return 'restoreTime' in at && at.restoreTime >= new Date(earliest).toISOString() && at.restoreTime <= new Date(latest).toISOString();
      });
    // Seven days of backups: latest, five minutes before it, a minute after the earliest.
    expect(w('2026-01-15T10:30:00Z', '2026-01-22T10:25:40Z')).toEqual(['at 2026-01-22T10:25Z', 'at 2026-01-22T10:20Z', 'at 2026-01-15T10:31Z']);
    // Created 4 minutes before the latest restorable time: five minutes back would predate it.
    const young = w('2026-01-22T10:21:30Z', '2026-01-22T10:25:40Z');
    expect(young).toEqual(['at 2026-01-22T10:25Z', 'at 2026-01-22T10:23Z']);
    expect(parsedInside(young, '2026-01-22T10:21:30Z', '2026-01-22T10:25:40Z')).toBe(true);
    // A window of 40 seconds that straddles no whole minute after its start: the latest restorable second.
    expect(w('2026-01-22T10:25:10Z', '2026-01-22T10:25:50.500Z')).toEqual(['at 2026-01-22T10:25:50Z']);
    // Under a second: the latest restorable instant itself.
    expect(w('2026-01-22T10:25:50.200Z', '2026-01-22T10:25:50.700Z')).toEqual(['at 2026-01-22T10:25:50.700Z']);
    expect(parsedInside(['at 2026-01-22T10:25:50.700Z'], '2026-01-22T10:25:50.200Z', '2026-01-22T10:25:50.700Z')).toBe(true);
  });

  it('compares the data-loss window with the RPO', () => {
    expect(dataLoss(new Date('2026-01-22T10:27:00Z'), NOW, 5 * 60_000)).toMatchObject({ ms: 180_000, overRpo: false });
    const over = dataLoss(new Date('2026-01-22T10:00:00Z'), NOW, 5 * 60_000);
    expect(over.overRpo).toBe(true);
    expect(over.line).toBe(
      'Data-loss window: writes after 2026-01-22 10:00:00 UTC (30m 00s so far, growing until the switch) will not be in the restored database; RPO 5m 00s (exceeded).',
    );
  });
});

describe('database catalog entry', () => {
  const base = { driver: 'database', instance: 'distrocv-prod', secret: { id: 'distrocv/database' } };

  it('requires its own approval rule and a per-rollback target name', () => {
    const result = databaseTarget.safeParse({ ...base, targetName: 'distrocv-restored' });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!.issues)).toEqual([
      'targetName: "distrocv-restored" must contain {n} or {id} so every rollback restores into its own instance, e.g. {instance}-rb-{n}',
      'approval: missing: a database restore needs its own approval rule (the runbook requires the CTO), e.g. approval: { from: [cto], count: 1 }',
    ]);
  });

  it('names the restored instance deterministically from the rollback id', () => {
    expect(targetInstanceName('{instance}-rb-{n}', 'distrocv-prod', 'RB-42')).toBe('distrocv-prod-rb-42');
    expect(targetInstanceName('{instance}-{id}', 'skillancer-prod', 'RB-7')).toBe('skillancer-prod-rb-7');
    expect(() => targetInstanceName('{instance}--{n}', 'db', 'RB-1')).toThrow(/which RDS refuses/);
  });
});
