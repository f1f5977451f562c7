import { parseArgs } from 'node:util';
import pretty from 'pino-pretty';
import { ConfigError } from '../src/config/errors.js';
import { SandboxError } from './redis.js';
import { startSandbox, type Sandbox } from './sandbox.js';

/** `npm run sandbox`: the whole product on this machine, driven from a page that imitates Slack. */

const USAGE = `Usage: npm run sandbox [-- --port 4300] [--crashloop] [--fast]
  --port N      serve the page on port N (default 4300, or SANDBOX_PORT; another free port if taken)
  --crashloop   the release a rollback goes back to crash-loops, so you can watch a failed rollback
  --fast        rollouts in a fraction of a second (the page's switches work either way)
Environment: REDIS_URL (default: a private redis-server), LOG_LEVEL (the bot's logs, default warn).`;

async function start(port: number, options: { crashloop: boolean; fast: boolean }): Promise<Sandbox> {
  // A person watches this terminal: readable log lines, on stderr so the banner stays clean.
  const logDestination = pretty({ destination: 2, ignore: 'pid,hostname,app', translateTime: 'SYS:HH:MM:ss' });
  const common = { ...options, logLevel: process.env.LOG_LEVEL, logDestination };
  try {
    return await startSandbox({ ...common, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    process.stderr.write(`Port ${port} is taken; using another free port.\n`);
    return startSandbox(common);
  }
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        crashloop: { type: 'boolean', default: false },
        fast: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(args.values.port ?? process.env.SANDBOX_PORT ?? 4300);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number, got "${args.values.port ?? process.env.SANDBOX_PORT}".\n${USAGE}\n`);
    process.exit(2);
  }

  process.stdout.write('Starting the Rewind sandbox…\n');
  const sandbox = await start(port, { crashloop: args.values.crashloop, fast: args.values.fast });
  process.stdout.write(
    [
      '',
      `  Rewind sandbox: ${sandbox.url}`,
      '',
      `  Redis:  ${sandbox.redis}`,
      `  Bot:    ${sandbox.rewind.url}/slack/events (HTTP mode, signed requests from the Slack fake)`,
      ...sandbox.estate.pieces.map((p, i) => `  ${i === 0 ? 'Estate:' : '       '} ${p.summary}`),
      '',
      `  Open the page, then type for example: ${sandbox.examples[0] ?? '/rollback help'}`,
      '  Press Ctrl-C to stop everything.',
      '',
    ].join('\n'),
  );

  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C arrives several times (the terminal signals the group; npm and tsx relay it too).
      if (Date.now() - stoppingSince < 2000) return;
      process.stderr.write(`Second ${signal}: exiting without waiting.\n`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    process.stdout.write('\nStopping the sandbox…\n');
    sandbox.close().then(
      () => {
        process.stdout.write('Stopped.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof SandboxError) process.stderr.write(`${error.message}\n`);
  else if (error instanceof ConfigError) process.stderr.write(`Rewind cannot start in the sandbox: ${error.message}\n`);
  else process.stderr.write(`The sandbox could not start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
