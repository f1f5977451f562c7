/** How a restart step waits, and the words its failures use for what the restart was for. */
export interface RestartOptions {
  /** Give up waiting after this long. */
  timeoutMs: number;
  /** The catalog key that sets `timeoutMs`, for the hint to raise it. */
  timeoutKey: string;
  /** Poll (ECS) or re-list (Kubernetes) this often, never faster than `minPollSec`. */
  pollMs: number;
  minPollSec: number;
  /** Region for ECS dependents that name none: the target's. */
  region?: string;
  story: RestartStory;
}

/** Sentence parts naming why the restart happens, for progress and errors a tired on-call engineer reads. */
export interface RestartStory {
  /** `onto distrocv-prod-rb-42`, `to load the new value of secret distrocv/api`. */
  purpose: string;
  /** What old tasks or pods still do: `still use distrocv-prod`, `still hold the old value`. */
  stale: string;
  /** Where to look when new tasks or pods do not come up: `check that the app accepts the new value (its logs)`. */
  check: string;
}

export function pollSeconds(o: RestartOptions): number {
  return Math.max(o.pollMs / 1000, o.minPollSec);
}
