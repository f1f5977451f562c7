/**
 * Idle memory of a started Rewind: a one-driver catalog (ECS only) against the full sandbox
 * catalog, so the cost of loading SDKs for drivers a catalog does not use shows. The project is
 * compiled first and each run is a plain `node` child of its own with the flags `npm start` gives
 * production (read from package.json, so the two cannot drift): no shared heap, and no tsx loader
 * thread inflating the figure. A child starts Rewind with
 * ROLE=all on a private Redis, idles 2 s, forces a GC and reports process.memoryUsage().rss.
 * Target: < 120 MB for ECS only.
 * Run: npx tsx bench/idle-rss.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog } from '../src/config/catalog.js';
import { parseEnv } from '../src/config/env.js';
import { startRewind } from '../src/main.js';
import { startPrivateRedis } from '../test/support/private-redis.js';
import { median } from './stats.js';

const CONFIGS = ['ecs-only', 'sandbox'] as const;
type Config = (typeof CONFIGS)[number];
const TARGET_MB = 120;

/** The sandbox catalog with its page URL filled in; nothing is served there, the bot only idles. */
function catalogYaml(config: Config): string {
  const sandbox = readFileSync('sandbox/catalog.yaml', 'utf8').replaceAll('{{sandbox}}', 'http://127.0.0.1:9');
  if (config === 'sandbox') return sandbox;
  // Everything above `services:` (roles, approval), then one ECS service.
  return `${sandbox.slice(0, sandbox.indexOf('\nservices:'))}
services:
  api:
    production: { driver: ecs, cluster: distrocv-prod, service: api }
`;
}

async function measure(config: Config, redisUrl: string): Promise<void> {
  const rewind = await startRewind({
    env: parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-idle',
      SLACK_SIGNING_SECRET: 'idle',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      PORT: '0',
      REDIS_URL: redisUrl,
      ROLE: 'all',
      LOG_LEVEL: 'silent',
      REWIND_REDIS_PREFIX: `idle-${process.pid}`,
    }),
    catalog: parseCatalog(catalogYaml(config), `${config}.yaml`),
  });
  await new Promise((r) => setTimeout(r, 2000));
  if (!globalThis.gc) throw new Error('run the child with --expose-gc');
  globalThis.gc();
  const rss = process.memoryUsage().rss;
  await rewind.close();
  process.stdout.write(`${rss}\n`);
}

if (process.argv[2] === '--child') {
  await measure(process.argv[3] as Config, process.argv[4]!);
  process.exit(0);
}

const runs = Number(process.argv[2] ?? 3);
/** The V8 flags of package.json's `start` (e.g. --max-semi-space-size), as production runs. */
const startFlags = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((arg) => arg.startsWith('--'));
// Inside the project, so the compiled files resolve packages from its node_modules.
mkdirSync('node_modules/.cache', { recursive: true });
const build = mkdtempSync('node_modules/.cache/rewind-idle-rss-');
const compiled = spawnSync(
  process.execPath,
  ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit', 'false', '--sourceMap', 'false', '--outDir', build],
  { encoding: 'utf8' },
);
if (compiled.error) throw compiled.error;
const redis = await startPrivateRedis();
const mb = (bytes: number) => bytes / 1024 / 1024;
const results: Record<Config, number[]> = { 'ecs-only': [], sandbox: [] };
try {
  for (let i = 0; i < runs; i++) {
    for (const config of CONFIGS) {
      const child = spawnSync(process.execPath, [...startFlags, '--expose-gc', join(build, 'bench/idle-rss.js'), '--child', config, redis.url], {
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`the ${config} run failed:\n${child.stderr}`);
      results[config].push(Number(child.stdout.trim().split('\n').at(-1)));
      process.stdout.write('.');
    }
  }
} finally {
  await redis.stop();
  rmSync(build, { recursive: true, force: true });
}
const ecsOnly = mb(median(results['ecs-only']));
const sandbox = mb(median(results.sandbox));
console.log(`\nidle RSS after start + 2 s, ROLE=all, node ${startFlags.join(' ')}, median of ${runs} runs (one process each)`);
console.log(`  ECS-only catalog          ${ecsOnly.toFixed(1)} MB`);
console.log(`  full sandbox catalog      ${sandbox.toFixed(1)} MB`);
console.log(`  sandbox / ECS-only        ${(sandbox / ecsOnly).toFixed(2)}x`);
console.log(`  target ECS-only < ${TARGET_MB} MB  ${ecsOnly < TARGET_MB ? 'met' : 'MISSED'}`);
if (ecsOnly >= TARGET_MB) process.exitCode = 1;
