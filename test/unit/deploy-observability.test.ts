import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATES } from '../../src/domain/rollback.js';
import { exportedSeries, METRICS, QUEUE_STATES } from '../../src/metrics.js';

/** deploy/grafana and deploy/prometheus may only use what src/metrics.ts exports, with the labels it has. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dashboard = JSON.parse(readFileSync(`${ROOT}deploy/grafana/rewind-dashboard.json`, 'utf8')) as Dashboard;
const alerts = parse(readFileSync(`${ROOT}deploy/prometheus/rewind-alerts.yaml`, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: unknown; definition?: string }[] };
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}

/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];
const ALL_REWIND_LABELS = new Set([...Object.values(METRICS).flatMap((m) => m.labels), 'le', ...TARGET_LABELS]);

const panelsOf = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
const dashboardExprs = [
  ...panelsOf(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
  ...dashboard.templating.list.flatMap((v) => (v.definition ? [{ where: `variable $${v.name}`, expr: v.definition }] : [])),
];
const rules = alerts.groups.flatMap((g) => g.rules);
const alertExprs = rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }));

const metricNames = (expr: string) => [...expr.matchAll(/\b(rewind_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
/** `metric{a="x", b=~"y|z"}` → the metric and its matchers. */
const selectors = (expr: string) =>
  [...expr.matchAll(/\b(rewind_[a-z0-9_]+)\s*\{([^}]*)\}/g)].map((m) => ({
    metric: m[1]!,
    matchers: [...m[2]!.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map((l) => ({ label: l[1]!, op: l[2]!, value: l[3]! })),
  }));
const groupings = (expr: string) =>
  [...expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );

let series: Map<string, readonly string[]>;
beforeAll(async () => {
  series = await exportedSeries();
});

describe.each([
  ['deploy/grafana/rewind-dashboard.json', dashboardExprs],
  ['deploy/prometheus/rewind-alerts.yaml', alertExprs],
])('%s', (_file, exprs) => {
  it('has queries, each on Rewind metrics', () => {
    expect(exprs.length).toBeGreaterThan(5);
    for (const { where, expr } of exprs) expect(metricNames(expr), `${where}: ${expr}`).not.toEqual([]);
  });

  it('references only series Rewind exports', () => {
    for (const { where, expr } of exprs) {
      for (const name of metricNames(expr)) expect(series.has(name), `${where} uses ${name}, which Rewind does not export`).toBe(true);
    }
  });

  it('filters and groups only by labels those series have, and by values they take', () => {
    for (const { where, expr } of exprs) {
      for (const { metric, matchers } of selectors(expr)) {
        const labels = [...(series.get(metric) ?? []), ...TARGET_LABELS];
        for (const { label, op, value } of matchers) {
          expect(labels, `${where}: ${metric} has no label ${label}`).toContain(label);
          if (op !== '=' && op !== '=~') continue;
          const values = value.split('|');
          if (metric === METRICS.queueJobs.name && label === 'state') for (const v of values) expect(QUEUE_STATES, `${where}: state ${v}`).toContain(v);
          if (metric.startsWith('rewind_rollback') && label === 'outcome')
            for (const v of values) expect(TERMINAL_STATES, `${where}: outcome ${v}`).toContain(v);
        }
      }
      for (const label of groupings(expr)) expect(ALL_REWIND_LABELS.has(label), `${where} groups by ${label}`).toBe(true);
    }
  });
});

describe('the Grafana dashboard', () => {
  it('shows outcomes, durations, approval time, RTO breaches, queues, Slack and platform errors', () => {
    const used = new Set(dashboardExprs.flatMap(({ expr }) => metricNames(expr)));
    for (const m of Object.values(METRICS)) {
      const names = m.type === 'histogram' ? [`${m.name}_bucket`] : [m.name];
      for (const name of names) expect(used, name).toContain(name);
    }
    const text = dashboardExprs.map((e) => e.expr).join('\n');
    expect(text).toMatch(/histogram_quantile\(0\.5, sum by \(le\) \(rate\(rewind_rollback_duration_seconds_bucket/);
    expect(text).toMatch(/histogram_quantile\(0\.95, sum by \(le\) \(rate\(rewind_rollback_duration_seconds_bucket/);
  });

  it('is importable: a uid, unique panel ids, panels on the 24-column grid', () => {
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    const all = panelsOf(dashboard.panels);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    for (const p of all) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.type !== 'row') expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });
});

describe('the Prometheus alert rules', () => {
  it('alert on a stuck rollback, an RTO breach and Slack failing, each with a severity and a summary', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['RewindRollbackStuck', 'RewindRtoBreached', 'RewindSlackFailing', 'RewindSlackRateLimited']) expect(names).toContain(name);
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(byName.RewindRollbackStuck!.expr).toContain('rewind_queue_jobs{queue="execute", state="active"}');
    expect(byName.RewindRtoBreached!.expr).toContain('rewind_rto_breaches_total');
    expect(byName.RewindSlackFailing!.expr).toContain('rewind_slack_api_calls_total');
    for (const r of rules) {
      expect(['critical', 'warning'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      if (r.for) expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
    }
  });
});
