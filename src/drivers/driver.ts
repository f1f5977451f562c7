import type { Logger } from 'pino';
import type { Plan, PlanStep, Rollback } from '../domain/rollback.js';
import type { VersionRow } from './versions.js';
import type { Readiness } from './readiness.js';

/** What a driver is asked to plan: one catalog target and the request's options. */
export interface PlanRequest<T> {
  rollbackId: string;
  service: string;
  environment: string;
  /** The catalog entry for this service/environment, already validated. */
  target: T;
  /** `to <version>` from the request; the driver decides what a version means. */
  version?: string;
  /** Extra validated options for drivers with their own grammar (flags, database). */
  options?: Record<string, string>;
}

export interface DriverContext {
  signal: AbortSignal;
  log: Logger;
}

/** What survives a trip through the journal (JSON) unchanged. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** What the executor gives every step, whatever its driver. */
export interface StepBase extends DriverContext {
  rollbackId: string;
  plan: Plan;
  step: PlanStep;
  /** When this step was first started; lets a repeated step recognise its own earlier work. */
  firstStartedAt: Date;
  /**
   * For an effect that must not happen twice: runs `fn` and journals its result under `key` before
   * the step goes on. A repeat of the step (after a crash) gets the journaled result back instead.
   */
  checkpoint<R extends Json>(key: string, fn: () => Promise<R>): Promise<R>;
  /** A progress line for the thread (`2/3 running`); the caller throttles posting. */
  progress(message: string): void;
}

/** A step of a driver: its catalog target and Plan.data as the driver's schemas read them. */
export interface StepContext<T, D = unknown> extends StepBase {
  target: T;
  data: D;
}

/**
 * A step output key: where the target is now, in the driver's words (`skillancer-web revision 4 (...)`),
 * when that differs from the label fixed at plan time. The success message prefers the last one journaled.
 */
export const LIVE_TARGET = 'liveTarget';

/** One idempotent step; the returned object is stored in the journal as the step's output. */
export type Step<T, D> = (ctx: StepContext<T, D>) => Promise<Record<string, unknown> | void>;

/**
 * A created driver for one target kind (ECS, Kubernetes, ...). Plans read live state and fix the
 * steps; each step is idempotent, so the executor can repeat an unfinished one after a crash.
 */
export interface DriverInstance<T, D> {
  plan(request: PlanRequest<T>, ctx: DriverContext): Promise<Plan>;
  /** Re-reads live state; returns a sentence saying what moved since planning, or undefined. */
  drift(data: D, target: T, ctx: DriverContext): Promise<string | undefined>;
  /** Past versions for `/rollback history <service> <env>`, newest first (kubectl rollout history). */
  history?(target: T, ctx: DriverContext): Promise<HistoryEntry[]>;
  /** Current and previous version and when it changed, for `/rollback versions <env>` and alert correlation; read-only. */
  versions?(target: T, ctx: DriverContext): Promise<VersionRow[]>;
  /**
   * Step id → step. A step repeated per item (`redeploy-<cluster>-<service>`, `run-<name>`) is
   * found by the id's first word.
   */
  steps: Record<string, Step<T, D>>;
  /** The exact `/rollback` text that asks for this rollback again (it parses back to the same target). */
  replan(rb: Rollback): string;
  /** What to try next when the rollback ran but a post-rollback check still fails; default: another version. */
  nextSteps?(rb: Rollback, outcome: 'unhealthy'): string;
  /** `/rollback ready`: the pre-deployment checklist items this driver checks against live state. */
  readiness?: Readiness<T>;
}

export interface HistoryEntry {
  revision: string;
  description: string;
  createdAt?: string;
  current: boolean;
  /** The words after `/rollback <service> <env>` that restore this entry (a snapshot: `snapshot <id>`); the history reply shows the whole command. */
  command?: string;
}
