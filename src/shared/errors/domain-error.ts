/** Field-level problem in a request. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Base of every expected failure. `code` is stable (clients switch on it); the global filter maps
 * it to an HTTP status. Never carries secrets: `message` reaches the client.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** HTTP status the API answers with; domain code need not care, but one place decides. */
  abstract readonly status: number;
  readonly details?: FieldError[];
  constructor(message: string, details?: FieldError[]) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
  constructor(details: FieldError[], message = 'The request is not valid') {
    super(message, details);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
  constructor(what = 'Resource') {
    super(`${what} not found`);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
  constructor(message = 'Your role does not allow this') {
    super(message);
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
  readonly status = 401;
  constructor(message = 'A valid bearer token is required') {
    super(message);
  }
}

export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests; retry later');
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
