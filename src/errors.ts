/**
 * Errors a user can fix. The CLI prints their message (never a stack trace) and exits
 * with their code: 1 the input was wrong, 2 a run could not finish.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A run stopped before finishing (e.g. endpoint unreachable after retries); what it did is kept. */
export class RunIncompleteError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'RunIncompleteError';
  }
}
