import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointer } from '../../src/rollbacks/checkpoint.js';
import { FenceLost, type Fence } from '../../src/store/fence.js';
import { StepJournal } from '../../src/store/journal.js';
import { runOwner, TargetLocks } from '../../src/store/locks.js';
import { dropPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';

/** ctx.checkpoint as the executor builds it: on the step journal in Redis, fenced by the run's target lock. */

const prefix = uniquePrefix();
let redis: Redis;
let journal: StepJournal;
let locks: TargetLocks;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  journal = new StepJournal(redis, prefix);
  locks = new TargetLocks(redis, prefix);
});
afterAll(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

/** One attempt of step `deploy` of RB-1: the journal record the executor starts, and the checkpoint over it. */
async function attempt(token: string) {
  expect(await locks.claimRun(['api/production'], 'RB-1', token, 60_000)).toEqual({ ok: true });
  const fence: Fence = { key: locks.key('api/production'), value: runOwner('RB-1', token) };
  const record = await journal.start('RB-1', 'deploy', (await journal.all('RB-1')).deploy, fence);
  return checkpointer(
    () => record.output,
    (entry) => journal.checkpoint('RB-1', 'deploy', record, entry, fence),
  );
}

describe('ctx.checkpoint on the step journal', () => {
  it('journals the first result and hands it to a repeat instead of acting again; a run that lost its lock journals nothing', async () => {
    let deployments = 0;
    const deploy = async () => `deployment-${++deployments}`;

    const first = await attempt('job-1');
    expect(await first('deploymentId', deploy)).toBe('deployment-1');
    expect(await first('deploymentId', deploy)).toBe('deployment-1');

    // The worker died; the next run of the job takes the lock over and repeats the step.
    await locks.releaseRun(['api/production'], runOwner('RB-1', 'job-1'));
    const repeat = await attempt('job-2');
    expect(await repeat('deploymentId', deploy)).toBe('deployment-1');
    expect(deployments).toBe(1);
    expect((await journal.all('RB-1')).deploy?.output).toEqual({ deploymentId: 'deployment-1' });

    // The superseded run acts once more but cannot record it: its write is fenced out.
    await expect(first('changeId', async () => 'change-from-a-stale-run')).rejects.toBeInstanceOf(FenceLost);
    expect((await journal.all('RB-1')).deploy?.output).toEqual({ deploymentId: 'deployment-1' });
  });
});
