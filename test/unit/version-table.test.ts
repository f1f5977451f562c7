import { describe, expect, it } from 'vitest';
import { rowFromHistory } from '../../src/drivers/versions.js';
import { changeLine, suggestionMessage } from '../../src/slack/suggestion.js';
import { versionTableMessage } from '../../src/slack/version-table.js';

const now = new Date('2026-01-22T12:00:00Z');

describe('version rows from a history', () => {
  it('takes the live entry and the one after it, and says when none is live', () => {
    const entries = [
      { revision: '3', description: 'c', current: false },
      { revision: '2', description: 'b', current: true, createdAt: '2026-01-22T10:00:00.000Z' },
      { revision: '1', description: 'a', current: false },
    ];
    expect(rowFromHistory(entries)).toEqual({ current: '2: b', previous: '1: a', changedAt: '2026-01-22T10:00:00.000Z' });
    expect(rowFromHistory(entries.map((e) => ({ ...e, current: false })))).toEqual({ current: '—', previous: '3: c', note: 'no entry is marked live' });
  });
});

describe('the version table message', () => {
  it('stays within Slack limits: at most 50 blocks, and says how many rows it left out', () => {
    const table = Array.from({ length: 60 }, (_, i) => ({
      service: `svc-${i}`,
      environment: 'production',
      driver: 'ecs',
      rows: [{ current: 'x'.repeat(5000) }],
    }));
    const { blocks, text } = versionTableMessage('production', table, now);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(blocks.at(-1))).toContain('13 more rows not shown');
    for (const block of blocks) {
      for (const field of (block as { fields?: { text: string }[] }).fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
    }
    expect(text.length).toBeLessThanOrEqual(3000);
  });

  it('shows a failed target as its own row with the error', () => {
    const { text } = versionTableMessage(
      'production',
      [
        { service: 'api', environment: 'production', driver: 'ecs', rows: [], error: 'AccessDeniedException: not allowed' },
        {
          service: 'web',
          environment: 'production',
          driver: 'kubernetes',
          rows: [{ part: 'skillancer-web', current: 'revision 3', previous: 'revision 2', changedAt: '2026-01-22T11:00:00.000Z' }],
        },
      ],
      now,
    );
    expect(text.split('\n').slice(1)).toEqual([
      '• api: :warning: AccessDeniedException: not allowed',
      '• web · skillancer-web: revision 3 · revision 2 · 2026-01-22 11:00 UTC (1h 00m ago)',
    ]);
  });
});

describe('the suggestion: what changed before the alert', () => {
  const fired = Date.parse('2026-01-22T12:00:00Z');
  const hour = 3600_000;
  it('calls a change inside the window a likely cause, and says when there was none or it came after', () => {
    const row = { current: 'v2', previous: 'v1' };
    expect(changeLine({ ...row, changedAt: '2026-01-22T11:50:00.000Z' }, fired, hour)).toBe(
      ':warning: `v1` → `v2` at 2026-01-22 11:50 UTC, *10m 00s before* the alert fired: a likely cause',
    );
    expect(changeLine({ ...row, changedAt: '2026-01-22T08:00:00.000Z' }, fired, hour)).toBe(
      '`v1` → `v2` at 2026-01-22 08:00 UTC, 4h 00m before the alert: no change in the 1h 00m before it, so a rollback may not help',
    );
    expect(changeLine({ ...row, changedAt: '2026-01-22T12:05:00.000Z' }, fired, hour)).toBe(
      '`v1` → `v2` at 2026-01-22 12:05 UTC, 5m 00s *after* the alert fired',
    );
    expect(changeLine(row, fired, hour)).toBe('`v1` → `v2` (when it changed is not recorded)');
  });

  it('never carries an approve button: only "Request rollback", with the target in its value', () => {
    const message = suggestionMessage({
      service: 'api',
      environment: 'production',
      alerts: [{ source: 'generic', key: 'k', name: 'Errors', status: 'firing', startsAt: '2026-01-22T12:00:00.000Z' }],
      body: { versions: { service: 'api', environment: 'production', driver: 'ecs', rows: [] }, planProblem: 'no earlier revision' },
      changeWindowMs: hour,
    });
    const actions = JSON.stringify(message.blocks);
    expect(actions).not.toContain('rollback_approve');
    expect(actions).toContain('"action_id":"suggestion_request_rollback"');
    expect(actions).toContain('*No plan*: no earlier revision');
    expect(message.metadata).toEqual({ event_type: 'rewind_suggestion', event_payload: { target: 'api/production' } });
  });
});
