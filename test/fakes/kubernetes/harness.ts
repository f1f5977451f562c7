import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Plan } from '../../../src/domain/rollback.js';
import type { StepContext } from '../../../src/drivers/driver.js';
import { createKubernetesDriver } from '../../../src/drivers/kubernetes/driver.js';
import { kubernetesDriver } from '../../../src/drivers/kubernetes/index.js';
import type { KubeContext } from '../../../src/drivers/shared/kubernetes/api.js';
import { kubernetesTarget, type KubernetesTarget } from '../../../src/drivers/kubernetes/target.js';
import { asExecutor, memoryCheckpoint } from '../../support/driver.js';
import type { FakeKube } from './server.js';

/** Test wiring: the real client configured from the fake's kubeconfig file, targets parsed by the catalog schema. */

export const silentLog = pino({ level: 'silent' });

export type TestKubernetesDriver = ReturnType<typeof driverFor>;

/** A `kubeConfigFor` client reading the fake's kubeconfig, switched to the context asked for. */
export function fakeKubeConfigFor(fake: FakeKube): (where: KubeContext) => KubeConfig {
  return (where) => {
    const kc = new KubeConfig();
    kc.loadFromFile(fake.kubeconfigPath);
    if (where.context) kc.setCurrentContext(where.context);
    return kc;
  };
}

export function driverFor(fake: FakeKube) {
  return asExecutor(kubernetesDriver, createKubernetesDriver({ kubeConfigFor: fakeKubeConfigFor(fake) }));
}

export function target(fields: Record<string, unknown>): KubernetesTarget {
  return kubernetesTarget.parse({ driver: 'kubernetes', namespace: 'production', resyncInterval: '250ms', progressTimeout: '20s', ...fields });
}

export function planRequest(t: KubernetesTarget, version?: string) {
  return { rollbackId: 'RB-1', service: 'web', environment: 'production', target: t, ...(version ? { version } : {}) };
}

export interface StepRun {
  ctx: StepContext<KubernetesTarget>;
  progress: string[];
}

export function stepContext(plan: Plan, stepId: string, t: KubernetesTarget, signal = new AbortController().signal): StepRun {
  const step = plan.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`plan has no step ${stepId}: ${plan.steps.map((s) => s.id).join(', ')}`);
  const progress: string[] = [];
  const ctx: StepContext<KubernetesTarget> = {
    signal,
    log: silentLog,
    rollbackId: 'RB-1',
    plan,
    step,
    target: t,
    data: plan.data,
    firstStartedAt: new Date(),
    checkpoint: memoryCheckpoint().checkpoint,
    progress: (line) => progress.push(line),
  };
  return { ctx, progress };
}

/** Runs every step of the plan in order, as the executor would; returns each step's output and progress. */
export async function execute(driver: TestKubernetesDriver, plan: Plan, t: KubernetesTarget) {
  const outputs: Record<string, unknown> = {};
  const progress: string[] = [];
  for (const step of plan.steps) {
    const run = stepContext(plan, step.id, t);
    outputs[step.id] = await driver.runStep(run.ctx);
    progress.push(...run.progress);
  }
  return { outputs, progress };
}
