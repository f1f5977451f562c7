import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runOwner, TargetLocks } from '../../src/store/locks.js';
import { dropPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';

/** A stack holds its own target and every component's: taken, claimed, renewed and freed as one. */

const prefix = uniquePrefix();
let redis: Redis;
let locks: TargetLocks;
const STACK = ['distrocv/production', 'api/production', 'frontend/production', 'NewMatchingAlgorithm/production'] as const;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  locks = new TargetLocks(redis, prefix);
});
afterAll(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

it('takes all of a stack or none, and names the first target another rollback holds', async () => {
  expect(await locks.acquire(['frontend/production'], 'RB-1', 60_000)).toEqual({ ok: true });
  expect(await locks.acquire(STACK, 'RB-2', 60_000)).toEqual({ ok: false, holder: 'RB-1', target: 'frontend/production' });
  // Nothing of the refused stack was taken, not even the targets before the busy one.
  expect(await locks.holder('api/production')).toBeNull();
  expect(await locks.holder('distrocv/production')).toBeNull();

  await locks.release(['frontend/production'], 'RB-1');
  expect(await locks.acquire(STACK, 'RB-2', 60_000)).toEqual({ ok: true });
  for (const target of STACK) expect(await locks.holder(target)).toBe('RB-2');
  // A plain rollback of a component now finds the stack.
  expect(await locks.acquire(['api/production'], 'RB-3', 60_000)).toMatchObject({ ok: false, holder: 'RB-2' });
});

it('a run claims every target; losing any one of them fails its renewal, and release frees the rest', async () => {
  const run = runOwner('RB-2', 'job-a');
  expect(await locks.claimRun(STACK, 'RB-2', 'job-a', 60_000)).toEqual({ ok: true });
  expect(await locks.claimRun(STACK, 'RB-2', 'job-b', 60_000)).toEqual({ ok: false, holder: run });
  expect(await locks.renew(STACK, run, 60_000)).toBe(true);

  await redis.del(locks.key('frontend/production'));
  expect(await locks.renew(STACK, run, 60_000)).toBe(false);

  await locks.releaseRun(STACK, run);
  for (const target of STACK) expect(await locks.holder(target)).toBeNull();
});
