import { describe, expect, it } from 'vitest';
import type { Rollback, RollbackState } from '../../src/domain/rollback.js';
import { HOME_MAX_BLOCKS, HOME_RECENT, homeView, type HomeData } from '../../src/slack/home.js';

const T0 = '2026-12-04T10:00:00.000Z';

function rollback(n: number, state: RollbackState, extra: Partial<Rollback> = {}): Rollback {
  return {
    id: `RB-${n}`,
    target: 'api/production',
    service: 'api',
    environment: 'production',
    state,
    requestedBy: 'U0REQ',
    reason: 'Error rate spiked',
    approvals: [],
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  };
}

function data(extra: Partial<HomeData> = {}): HomeData {
  return { user: 'U0LEAD', now: new Date('2026-12-04T10:03:00.000Z'), rtoMs: 15 * 60_000, inFlight: [], recent: [], approvable: [], ...extra };
}

type Block = { type: string; text?: { type: string; text: string }; elements?: { text: string }[] };
const blocksOf = (d: HomeData) => homeView(d).blocks as Block[];
const texts = (d: HomeData) => blocksOf(d).map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '');

describe('App Home view (pure)', () => {
  it('shows a rollback in flight with its RTO clock, who it waits for and a link to its card', () => {
    const rb = rollback(7, 'awaiting_approval', {
      card: { channel: 'C0WARROOM', ts: '1700000000.000100', permalink: 'https://acme.slack.com/archives/C0WARROOM/p1700000000000100' },
    });
    const all = texts(data({ inFlight: [{ rollback: rb, needed: '1 more from oncall or lead', mayApprove: ['U0LEAD'], viewerMayApprove: true }] })).join('\n');
    expect(all).toContain('*RB-7* · api production · :raised_hand: Awaiting approval');
    expect(all).toContain('3m 00s of 15m 00s RTO (within)');
    expect(all).toContain('Needs 1 more from oncall or lead · may approve: <@U0LEAD>');
    expect(all).toContain('You can approve this one');
    expect(all).toContain('<https://acme.slack.com/archives/C0WARROOM/p1700000000000100|Open the card>');
    const unlinked = rollback(8, 'running', { card: { channel: 'C0WARROOM', ts: '1700000000.000200' } });
    expect(texts(data({ inFlight: [{ rollback: unlinked }] })).join('\n')).toContain('Card (in <#C0WARROOM>)');
  });

  it('lists at most ten outcomes with their duration', () => {
    const recent = Array.from({ length: 15 }, (_, i) => rollback(i + 1, 'succeeded', { finishedAt: '2026-12-04T10:02:05.000Z' }));
    const section = texts(data({ recent })).find((t) => t.startsWith('*Recent outcomes*'))!;
    expect(section.split('\n')).toHaveLength(1 + HOME_RECENT);
    expect(section).toContain('RB-1 · api production · :large_green_circle: Succeeded · 2m 05s · <!date^');
    expect(section).not.toContain('RB-11');
  });

  it('stays within 100 blocks however much is in flight, and says how many it left out', () => {
    const inFlight = Array.from({ length: 250 }, (_, i) => ({ rollback: rollback(i + 1, 'running') }));
    const blocks = blocksOf(data({ inFlight }));
    expect(blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    expect(blocks.length).toBe(HOME_MAX_BLOCKS);
    const shown = blocks.filter((b) => b.text?.text.startsWith('*RB-')).length;
    expect(texts(data({ inFlight })).join('\n')).toContain(`…and ${250 - shown} more`);
    expect(blocksOf(data({ inFlight: inFlight.slice(0, 3) })).filter((b) => b.text?.text.startsWith('*RB-'))).toHaveLength(3);
  });

  it('clips long texts to what Slack accepts and escapes free text', () => {
    const long = 'x'.repeat(10_000);
    const rb = rollback(1, 'running', { reason: `<!channel> ${long}`, service: long });
    const approvable = Array.from({ length: 500 }, (_, i) => `service-${i} production ${'y'.repeat(50)}`);
    const d = data({ inFlight: [{ rollback: rb, needed: long, mayApprove: Array.from({ length: 40 }, (_, i) => `U${i}`) }], approvable });
    for (const b of blocksOf(d)) {
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(b.type === 'header' ? 150 : 3000);
    }
    const all = texts(d).join('\n');
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt;');
    const mine = texts(d).find((t) => t.startsWith('*You may approve*'))!;
    expect(mine).toMatch(/…and \d+ more$/);
  });

  it('says when there is nothing to show', () => {
    const all = texts(data()).join('\n');
    expect(all).toContain('Nothing in flight');
    expect(all).toContain('None yet');
    expect(all).toContain('*You may approve*\n_Nothing');
    expect(all).toContain('`/rollback help`');
  });
});
