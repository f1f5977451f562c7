import type { Logger } from 'pino';
import type { Plan, PlanStep } from '../domain/rollback.js';

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

/** Everything a step needs; the executor builds it from the journal. */
export interface StepContext<T> extends DriverContext {
  rollbackId: string;
  plan: Plan;
  step: PlanStep;
  target: T;
  /** When this step was first started; lets a repeated step recognise its own earlier work. */
  firstStartedAt: Date;
  /** Output this step checkpointed on an earlier attempt, if any. */
  checkpoint?: Record<string, unknown>;
  /** Checkpoint before irreversible work so a repeat after a crash can adopt it. */
  saveCheckpoint(output: Record<string, unknown>): Promise<void>;
  /** A progress line for the thread (`2/3 running`); the caller throttles posting. */
  progress(message: string): void;
}

/**
 * A target kind (ECS, Kubernetes, ...). Plans read live state and fix the steps;
 * each step is idempotent, so the executor can repeat an unfinished one after a crash.
 */
export interface Driver<T = unknown> {
  readonly kind: string;
  plan(request: PlanRequest<T>, ctx: DriverContext): Promise<Plan>;
  /** Re-reads live state; returns a sentence saying what moved since planning, or undefined. */
  drift(plan: Plan, target: T, ctx: DriverContext): Promise<string | undefined>;
  /** Runs one step; the returned object is stored in the journal as the step's output. */
  runStep(ctx: StepContext<T>): Promise<Record<string, unknown> | void>;
  /** Past versions for `/rollback history <service> <env>`, newest first (kubectl rollout history). */
  history?(target: T, ctx: DriverContext): Promise<HistoryEntry[]>;
}

export interface HistoryEntry {
  revision: string;
  description: string;
  createdAt?: string;
  current: boolean;
}
