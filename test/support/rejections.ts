import { expect } from 'vitest';
import { PlanRefused, StepFailed } from '../../src/drivers/errors.js';

/** Awaits a promise that must reject, asserts the error's class, and returns it for further checks. */
async function rejection<E>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

/** The PlanRefused a plan call must reject with. */
export function refusal(promise: Promise<unknown>): Promise<PlanRefused> {
  return rejection(promise, PlanRefused);
}

/** The StepFailed a plan, step or drift call must reject with. */
export function stepFailure(promise: Promise<unknown>): Promise<StepFailed> {
  return rejection(promise, StepFailed);
}
