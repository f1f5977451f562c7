/**
 * A request that cannot be planned as asked (unknown revision, nothing to roll back to).
 * Shown to the requester as is; `choices` lists what would have worked.
 */
export class PlanRefused extends Error {
  override name = 'PlanRefused';
  constructor(
    message: string,
    readonly choices: string[] = [],
  ) {
    super(message);
  }
}

/**
 * Rewind's own identity may not do what planning needs (a failed `kubectl auth can-i`): its setup
 * is wrong, not the request, so the war room hears it as well as the requester.
 */
export class AccessRefused extends PlanRefused {
  override name = 'AccessRefused';
  constructor(
    /** What Rewind may not do, e.g. `its identity may not patch deployments.apps in namespace production`. */
    readonly problem: string,
    /** The change to Rewind's identity that lets it. */
    readonly fix: string,
  ) {
    super(`${problem}. ${fix}`);
  }
}

/**
 * The target is already where the request would take it: nothing to change. A plain request is
 * refused with this; a stack plans the component as unchanged and carries on with the others.
 */
export class AlreadyThere extends PlanRefused {
  override name = 'AlreadyThere';
}

/**
 * A step that failed in a way an on-call engineer must hear about in plain words.
 * `permanent` failures are not retried (the worker turns them into UnrecoverableError).
 */
export class StepFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly permanent = true,
  ) {
    super(message);
    this.name = code;
  }
}

const TRANSIENT = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'ServerException',
  'TimeoutError',
]);

/** Error names AWS and Kubernetes (through fromKubeError) give a call refused for Rewind's own credentials or permissions. */
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Forbidden',
  'Unauthorized',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
]);

/**
 * Whether an error while reading a platform means Rewind's own identity was refused (a 403 or
 * AccessDenied from AWS, a 401/403 from Kubernetes, a failed access review), not the request.
 */
export function isOwnAccessDenied(error: unknown): boolean {
  if (error instanceof AccessRefused) return true;
  const e = (error ?? {}) as AwsLikeError;
  return ACCESS_DENIED.has(e.name ?? '') || e.$metadata?.httpStatusCode === 403;
}

interface AwsLikeError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

/** Turns an AWS SDK error into a StepFailed that names the API call, the AWS error and what to do. */
export function fromAwsError(error: unknown, operation: string, hint: string): StepFailed {
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name || 'Error';
  const message = e.message || String(error);
  const transient = TRANSIENT.has(name) || e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500;
  return new StepFailed(name, `AWS refused ${operation}: ${name}: ${message}`, hint, !transient);
}
