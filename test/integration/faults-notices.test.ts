import { afterEach, describe, expect, it } from 'vitest';
import { startFakeStatusPage, type FakeStatusPage } from '../fakes/status-page.js';
import { eventually, readable, startHarness, WAR_ROOM } from '../support/harness.js';
import { spawnRewind } from '../support/processes.js';
import { approve, CHILD_ENV, expectCleanEnd, request, resetScene, scene } from '../support/faults.js';

/**
 * A worker SIGKILLed in the middle of a status-page update or the Support notice: the next one
 * finishes it, and neither reaches its audience twice.
 */
const SUPPORT = 'C0SUPPORT';
let statusPage: FakeStatusPage | undefined;
afterEach(async () => {
  await resetScene();
  await statusPage?.close();
  statusPage = undefined;
});

async function scenario(failpoint: string) {
  const page = (statusPage = await startFakeStatusPage());
  scene.h = await startHarness({
    role: 'web',
    tickMs: 50,
    catalog: (yaml) => `${yaml}\nsupportChannel: ${SUPPORT}\nstatusPage: { url: "${page.url}", mode: auto }\n`,
  });
  const first = await spawnRewind(scene.h, { role: 'all', failpoint, env: CHILD_ENV });
  await request(first);
  await approve(first);
  await first.exited;
  await spawnRewind(scene.h, { role: 'all', env: CHILD_ENV });
  await expectCleanEnd();
  const root = scene.h.slack.messages(WAR_ROOM).find((m) => !m.thread_ts && readable(m).includes('Rollback RB-1'))!;
  const thread = () =>
    scene
      .h!.slack.thread(WAR_ROOM, root.ts)
      .map((m) => m.text ?? '')
      .join('\n');
  await eventually(() => thread().includes('Status page updated (resolved)'), 'the resolved line');
  return thread();
}

describe('a worker SIGKILLed mid-notice', () => {
  it(
    'after the status page took "Investigating" but before it was recorded: repeated with the same Idempotency-Key, shown once',
    { timeout: 90_000 },
    async () => {
      const text = await scenario('status-page-updated:investigating');
      expect(statusPage!.updates.map((u) => u.status)).toEqual(['investigating', 'resolved']);
      // The repeat reached the webhook (3 POSTs) and was recognised by its key.
      expect(statusPage!.requests).toBe(3);
      expect(text.match(/Status page updated \(investigating\)/g)).toHaveLength(1);
    },
  );

  it('after the Support notice was posted but before it was recorded: found in the channel, not posted again', { timeout: 90_000 }, async () => {
    const text = await scenario('support-posted');
    expect(scene.h!.slack.messages(SUPPORT)).toHaveLength(1);
    expect(text.match(/Support asked in/g)).toHaveLength(1);
    expect(statusPage!.updates.map((u) => u.status)).toEqual(['investigating', 'resolved']);
  });
});
