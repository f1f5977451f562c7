import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testRedisUrl } from '../support/redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Whether any process of the group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run sandbox', () => {
  it('stops everything it started when npm alone gets SIGINT (the script execs tsx: no shell in between to swallow it)', async () => {
    // Its own process group, so the signal reaches npm only, as when npm is killed by pid or a supervisor.
    const npm = spawn('npm', ['run', 'sandbox', '--', '--port', '0', '--fast'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: testRedisUrl(), LOG_LEVEL: 'silent' },
    });
    const pgid = npm.pid!;
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(npm, 'exit');
    try {
      await expect.poll(() => output, { timeout: 40_000, interval: 200 }).toContain('Press Ctrl-C');
      expect(/Bot: +http:\/\/127\.0\.0\.1:\d+\/slack\/events/.test(output), output).toBe(true);

      npm.kill('SIGINT');
      const stopped = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20_000))]);
      expect(stopped, `npm still runs 20 s after SIGINT:\n${output}`).toBe(true);
      expect(output).toContain('Stopped.');
      // npm, tsx and the sandbox's node process are all gone, not just npm.
      await expect.poll(() => groupAlive(pgid), { timeout: 5_000 }).toBe(false);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  }, 60_000);
});
