import { ConflictError, DomainError } from '@shared/errors/domain-error';

export class PoliciesNotAcceptedError extends DomainError {
  readonly code = 'POLICIES_NOT_ACCEPTED';
  readonly status = 400;
  constructor() {
    super('Accept the TikTok and Echo terms and privacy policies to connect (acceptPolicies: true)');
  }
}

export class PolicyVersionChangedError extends ConflictError {
  constructor() {
    super('POLICY_VERSION_CHANGED', 'The policies changed since they were shown; review them again');
  }
}

/** Why a callback connected nothing; each is a `?error=` code on the admin page. */
export type CallbackFailure = 'STATE_INVALID' | 'ACCESS_DENIED' | 'TOKEN_EXCHANGE_FAILED' | 'PROFILE_FAILED';

/** Which check of the state failed (logged; the browser only sees `STATE_INVALID`). */
export type StateCheck = 'missing' | 'unknown' | 'used' | 'expired' | 'cookie-missing' | 'cookie-different';

export class CallbackFailedError extends Error {
  constructor(
    readonly reason: CallbackFailure,
    readonly check?: StateCheck,
  ) {
    super(reason);
  }
}
