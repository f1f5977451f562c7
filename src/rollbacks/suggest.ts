import { targetOf } from '../config/catalog.js';
import type { RoutedAlert } from '../domain/alert.js';
import type { SuggestionBody } from '../slack/suggestion.js';
import { SuggestionStore } from '../store/suggestions.js';
import { findSuggestionPost, refreshSuggestion, renderSuggestion } from '../warroom/suggestion.js';
import type { WorkerServices } from './context.js';
import { readTargetVersions, VERSIONS_TIMEOUT_MS } from './version-table.js';

/** A claim whose job has not posted within this is taken over by the next delivery (that job died). */
const STALE_CLAIM_MS = 2 * 60_000;

/** Stands in for the rollback id a driver's plan names (a database's restore target); the plan is shown, never run. */
const SUGGESTION_PLAN_ID = 'RB-0';

/**
 * An alert for one target: the first delivery of an incident correlates it with the target's last
 * change, makes the read-only plan and posts one suggestion in the war room; later deliveries only
 * record the alert's state and re-render that message (resolved, fired again). `owner` is the job id.
 */
export async function suggestRollback(x: WorkerServices, r: RoutedAlert, owner: string, signal: AbortSignal): Promise<void> {
  const store = new SuggestionStore(x.redis, x.prefix);
  const key = `${r.service}/${r.environment}`;
  const changed = await store.apply(key, r.alert);
  if (await store.claim(key, owner, x.now().getTime(), STALE_CLAIM_MS)) return post(x, store, r, signal);
  const record = await store.get(key);
  // Not posted yet: the claimer renders the newest state once its post is in.
  if (changed && record.message) await refreshSuggestion(x, store, r);
}

async function post(x: WorkerServices, store: SuggestionStore, r: RoutedAlert, signal: AbortSignal): Promise<void> {
  const key = `${r.service}/${r.environment}`;
  const before = await store.get(key);
  if (before.message) return refreshSuggestion(x, store, r);
  let body: SuggestionBody;
  if (before.postingAt && before.body) {
    // This job posted before and crashed: find that post in Slack rather than post a second one.
    const landed = await findSuggestionPost(x, key, before.postingAt);
    if (landed) {
      await store.posted(key, landed);
      x.metrics.suggestion('posted');
      return refreshSuggestion(x, store, r);
    }
    body = JSON.parse(before.body) as SuggestionBody;
  } else {
    body = await correlate(x, r, signal);
  }
  await store.posting(key, JSON.stringify(body), x.now().getTime());
  const posted = await store.get(key);
  const ts = await x.poster.post(x.catalog.warRoom, renderSuggestion(x, r, posted, body), { urgent: true });
  await store.posted(key, { channel: x.catalog.warRoom, ts });
  x.metrics.suggestion('posted');
  x.log.info({ target: key, alert: r.alert.name, ts }, 'suggested rollback posted');
  const now = await store.get(key);
  if (JSON.stringify(now.alerts) !== JSON.stringify(posted.alerts)) await refreshSuggestion(x, store, r);
}

/** The target's versions (when it changed and from what) and the plan its driver would make, read in parallel; never throws. */
async function correlate(x: WorkerServices, r: RoutedAlert, signal: AbortSignal): Promise<SuggestionBody> {
  const [versions, plan] = await Promise.all([readTargetVersions(x, r.service, r.environment, signal), readOnlyPlan(x, r, signal)]);
  return { versions, ...plan };
}

async function readOnlyPlan(x: WorkerServices, r: RoutedAlert, signal: AbortSignal): Promise<Pick<SuggestionBody, 'plan' | 'planProblem'>> {
  const target = targetOf(x.catalog, r.service, r.environment);
  const driver = target && x.drivers[target.driver];
  if (!target || !driver) return { planProblem: `${r.service} ${r.environment} is no longer in the catalog` };
  try {
    const plan = await driver.plan(
      { rollbackId: SUGGESTION_PLAN_ID, service: r.service, environment: r.environment, target },
      { signal: AbortSignal.any([signal, AbortSignal.timeout(VERSIONS_TIMEOUT_MS)]), log: x.log.child({ suggestion: `${r.service}/${r.environment}` }) },
    );
    return { plan: { current: plan.current, target: plan.target, changes: plan.changes } };
  } catch (error) {
    if (signal.aborted) throw error;
    return { planProblem: (error as Error).message };
  }
}
