import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Harness } from './harness.js';
import { freePort } from './private-redis.js';

export interface RewindProcess {
  child: ChildProcess;
  /** Signed Slack requests go here (web roles only). */
  eventsUrl: string;
  exited: Promise<void>;
}

const children = new Set<ChildProcess>();

/** SIGKILLs every process spawned here that is still running (afterEach). */
export function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/**
 * A real `src/main.ts` process on the harness's fakes and Redis, configured only by env, as
 * production runs it. `failpoint` makes it SIGKILL itself at that boundary (src/failpoint.ts).
 */
export async function spawnRewind(
  h: Harness,
  opts: { role: 'all' | 'worker' | 'web'; failpoint?: string; redisUrl?: string; env?: Record<string, string> },
): Promise<RewindProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-proc-'));
  const config = join(dir, 'rewind.config.yaml');
  writeFileSync(config, h.catalogYaml);
  const port = opts.role === 'worker' ? 0 : await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      ...h.env,
      ROLE: opts.role,
      PORT: String(port),
      REWIND_CONFIG: config,
      REWIND_JOB_LOCK_MS: '1500',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_ECS: h.ecs.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      KUBECONFIG: h.kube.kubeconfigPath,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
      ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
      ...(opts.failpoint ? { REWIND_FAILPOINT: opts.failpoint } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const eventsUrl = port ? `http://127.0.0.1:${port}/slack/events` : '';
  if (port) await waitForHealth(`http://127.0.0.1:${port}/healthz`, exited);
  return { child, eventsUrl, exited };
}

async function waitForHealth(url: string, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !gone) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(gone ? `Rewind process exited before ${url} answered` : `${url} did not answer within 30 s`);
}
