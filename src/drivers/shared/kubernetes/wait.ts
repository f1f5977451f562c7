import type { V1Deployment } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { formatDuration } from '../../../domain/duration.js';
import { StepFailed } from '../../errors.js';
import type { KubeApi } from './api.js';
import { fromKubeError } from './errors.js';
import { selectorString } from './selector.js';
import { describeTimeout, type TimeoutState } from './timeout.js';
import { describeStuck, rolloutStatus, stuckPods, type RolloutFreshness, type RolloutStatus, type StuckPod } from './rollout-status.js';

export interface WaitOptions {
  namespace: string;
  name: string;
  /** Give up after this long, like `kubectl rollout status --timeout`. */
  timeoutMs: number;
  /** The catalog key that sets `timeoutMs`, for the hint to raise it. */
  timeoutKey: string;
  /** Re-list this often even while the watch is quiet: a watch can stall without closing. */
  resyncMs: number;
  signal: AbortSignal;
  /** Called with a new line only when the counts or the stuck pods change (the caller throttles posting). */
  progress(line: string): void;
  log: Logger;
  /** Judge only conditions about this rollout (see RolloutFreshness). */
  fresh?: RolloutFreshness;
  /** What to do when the rollout fails; the default fits a rollout whose earlier version was healthy. */
  failureHint?: string;
  /** What the caller changed before waiting, for the timeout's account of production, e.g. `Rewind's undo was applied`. */
  applied: string;
}

/** How long the timeout may spend reading the Deployment, its ReplicaSets and pods to describe them. */
const TIMEOUT_READ_MS = 5000;

/** A clean watch end sooner than this counts as a failure for backoff, so a server closing at once cannot make us spin. */
const MIN_HEALTHY_WATCH_MS = 1000;

/**
 * Waits until one Deployment satisfies `kubectl rollout status`, driven by a watch on it, re-watching
 * whenever the stream ends (with or without error) and re-listing every `resyncMs` as a safety net.
 * Resolves with kubectl's success sentence; rejects with StepFailed naming the Deployment.
 */
export function waitForRollout(api: KubeApi, o: WaitOptions): Promise<string> {
  const where = { namespace: o.namespace, context: api.context };
  return new Promise<string>((resolve, reject) => {
    let finished = false;
    let watchId = 0;
    let watcher: AbortController | undefined;
    let watchStartedAt = 0;
    let failures = 0;
    let retryTimer: NodeJS.Timeout | undefined;
    let listing = false;
    let selector: string | undefined;
    let last: RolloutStatus | undefined;
    // Pods are listed on the first sighting, at each re-list and on failure: never per event.
    let podsChecked = false;
    let stuck: StuckPod[] = [];
    let reported: string | undefined;

    const finish = (error: unknown, message?: string) => {
      if (finished) return;
      finished = true;
      clearInterval(resync);
      clearTimeout(deadline);
      clearTimeout(retryTimer);
      o.signal.removeEventListener('abort', onAbort);
      watchId++;
      watcher?.abort();
      if (error) reject(error);
      else resolve(message ?? '');
    };

    const stuckText = () => (stuck.length ? `; stuck pods: ${describeStuck(stuck)}` : '');
    const report = () => {
      if (finished || !last) return;
      const line = `${last.line}${stuckText()}`;
      if (line !== reported) {
        reported = line;
        o.progress(line);
      }
    };

    const refreshPods = async () => {
      if (!selector) return;
      try {
        stuck = stuckPods(await api.listPods(o.namespace, selector));
      } catch (error) {
        o.log.warn({ deployment: o.name, err: error }, 'could not list pods to name stuck ones');
      }
    };

    const fail = async (status: RolloutStatus) => {
      await refreshPods();
      const first = stuck.find((p) => p.message);
      const why = first ? ` (${first.reason}: ${first.message})` : '';
      finish(
        new StepFailed(
          'ProgressDeadlineExceeded',
          `${o.name}: ${status.message}${stuckText()}${why}`,
          `See why with: kubectl describe deployment/${o.name} -n ${o.namespace}; kubectl get pods -n ${o.namespace} -l ${selector}. ` +
            (o.failureHint ?? 'Pods of the earlier version keep serving until new ones are ready; fix the image or cluster capacity, then plan again.'),
        ),
      );
    };

    const observe = (deployment: V1Deployment) => {
      if (finished) return;
      selector = selectorString(deployment.spec?.selector);
      const status = rolloutStatus(deployment, o.fresh);
      last = status;
      if (status.state === 'complete') return finish(undefined, status.message);
      if (status.state === 'failed') return void fail(status);
      if (!podsChecked) {
        podsChecked = true;
        void refreshPods().then(report);
      }
      report();
    };

    const relist = async (): Promise<string | undefined> => {
      const { deployment, resourceVersion } = await api.listDeployment(o.namespace, o.name);
      if (!deployment) {
        throw new StepFailed(
          'NotFound',
          `${o.name} was deleted from namespace ${o.namespace} while Rewind waited for its rollout`,
          'Find out who deleted it (kubectl get events); there is nothing left to roll back.',
        );
      }
      observe(deployment);
      return resourceVersion;
    };

    const restart = (error?: unknown) => {
      if (finished) return;
      watchId++;
      watcher?.abort();
      watcher = undefined;
      const healthy = !error && Date.now() - watchStartedAt >= MIN_HEALTHY_WATCH_MS;
      failures = healthy ? 0 : failures + 1;
      // The first retry is immediate; repeated quick failures back off up to the resync interval.
      const delay = failures <= 1 ? 0 : Math.min(o.resyncMs, 50 * 2 ** (failures - 1));
      if (error) o.log.debug({ deployment: o.name, err: error, delay }, 'watch ended; re-listing and watching again');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => void cycle(), delay);
    };

    const cycle = async () => {
      if (finished) return;
      try {
        const resourceVersion = await relist();
        if (finished) return;
        const id = ++watchId;
        watchStartedAt = Date.now();
        const controller = await api.watchDeployment(
          o.namespace,
          o.name,
          resourceVersion,
          (type, object) => {
            if (id !== watchId || finished) return;
            if (type === 'BOOKMARK') return;
            // ERROR carries a Status (e.g. 410 Gone: resourceVersion too old): start over from a fresh list.
            if (type === 'ERROR' || type === 'DELETED') return restart(new Error(`watch ${type}: ${JSON.stringify(object)}`));
            observe(object as V1Deployment);
          },
          (error) => {
            if (id !== watchId || finished) return;
            const status = (error as { statusCode?: number } | undefined)?.statusCode;
            if (status === 401 || status === 403) return finish(fromKubeError({ code: status }, `watch deployment ${o.name}`, where));
            restart(error);
          },
        );
        if (id === watchId && !finished) watcher = controller;
        else controller.abort();
      } catch (error) {
        const failed = fromKubeError(error, `list deployment ${o.name}`, where);
        if (failed.permanent) finish(failed);
        else restart(error);
      }
    };

    const resync = setInterval(() => {
      if (listing || finished) return;
      listing = true;
      relist()
        .then(() => refreshPods())
        .then(report)
        .catch((error: unknown) => {
          const failed = fromKubeError(error, `list deployment ${o.name}`, where);
          if (failed.permanent) finish(failed);
          else o.log.warn({ deployment: o.name, err: error }, 're-list failed; the watch continues');
        })
        .finally(() => (listing = false));
    }, o.resyncMs);

    // The timeout says what production is left with, read fresh; if that read hangs, the last status seen.
    const timedOut = async () => {
      const words = { name: o.name, namespace: o.namespace, applied: o.applied, waited: `within ${formatDuration(o.timeoutMs)}`, timeoutKey: o.timeoutKey };
      let timer: NodeJS.Timeout | undefined;
      const state = await Promise.race([readState(), new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), TIMEOUT_READ_MS)))]);
      clearTimeout(timer);
      const { message, hint } = state
        ? describeTimeout(state, words)
        : {
            message: `${o.name} did not finish rolling out ${words.waited}. ${o.applied}: ${last?.message ?? 'no status seen'}${stuckText()}`,
            hint: `Check it with: kubectl rollout status deployment/${o.name} -n ${o.namespace}. Raise ${o.timeoutKey} in the catalog if rollouts are slow.`,
          };
      finish(new StepFailed('RolloutTimeout', message, hint));
    };
    const readState = async (): Promise<TimeoutState | undefined> => {
      try {
        const deployment = await api.readDeployment(o.namespace, o.name);
        const labels = selectorString(deployment.spec?.selector);
        const [replicaSets, pods] = await Promise.all([api.listReplicaSets(o.namespace, labels), api.listPods(o.namespace, labels)]);
        return { deployment, replicaSets, stuck: stuckPods(pods) };
      } catch (error) {
        o.log.warn({ deployment: o.name, err: error }, 'could not read the Deployment to describe the timeout');
        return undefined;
      }
    };
    const deadline = setTimeout(() => void timedOut(), o.timeoutMs);

    const onAbort = () => finish(o.signal.reason ?? new Error('aborted'));
    if (o.signal.aborted) return onAbort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    void cycle();
  });
}
