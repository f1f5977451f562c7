import { describe, expect, it } from 'vitest';
import { AccessRefused, isOwnAccessDenied, PlanRefused, StepFailed } from '../../src/drivers/errors.js';

describe("isOwnAccessDenied: Rewind's own identity refused, not the request", () => {
  it('recognises AWS and Kubernetes refusals of its credentials or permissions', () => {
    const aws = Object.assign(new Error('User: arn:aws:iam::1:role/rewind is not authorized'), { name: 'AccessDeniedException' });
    const s3 = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const bare403 = Object.assign(new Error('forbidden'), { name: 'UnknownError', $metadata: { httpStatusCode: 403 } });
    expect([aws, s3, bare403].map(isOwnAccessDenied)).toEqual([true, true, true]);
    expect(isOwnAccessDenied(new StepFailed('Forbidden', 'Kubernetes refused get deployment web (403)', 'grant the Role'))).toBe(true);
    expect(isOwnAccessDenied(new StepFailed('Unauthorized', "Kubernetes rejected Rewind's credentials (401)", 'refresh them'))).toBe(true);
    expect(isOwnAccessDenied(new AccessRefused('its identity may not patch deployments.apps', 'Grant it patch.'))).toBe(true);
  });

  it('leaves refusals of the request and other failures with the requester', () => {
    expect(isOwnAccessDenied(new PlanRefused('revision 99 not found for web'))).toBe(false);
    expect(isOwnAccessDenied(new StepFailed('NotFound', 'Kubernetes found nothing (404)', 'check the namespace'))).toBe(false);
    expect(isOwnAccessDenied(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isOwnAccessDenied(undefined)).toBe(false);
  });

  it('keeps the requester sentence of an access refusal as before: the problem, then the fix', () => {
    const e = new AccessRefused('Rewind may not patch deployments.apps in namespace production', 'Grant it the verb "patch".');
    expect(e.message).toBe('Rewind may not patch deployments.apps in namespace production. Grant it the verb "patch".');
    expect(e).toBeInstanceOf(PlanRefused);
  });
});
