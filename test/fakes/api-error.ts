/** An AWS error a hand-written JSON-protocol fake answers with: `__type`, message and HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
