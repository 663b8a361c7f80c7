import type { ApiErrorBody } from './contract';

/** An answer from the API that is not a success, in API.md's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** From a response whose body may or may not be the API's error shape (a proxy's 502, say). */
  static async from(res: Response): Promise<ApiError> {
    const requestId = res.headers.get('x-request-id');
    try {
      const body = (await res.clone().json()) as Partial<ApiErrorBody>;
      if (body.error && typeof body.error.code === 'string') {
        return new ApiError(
          res.status,
          body.error.code,
          body.error.message,
          body.error.requestId ?? requestId,
          body.error.details ?? [],
        );
      }
    } catch {
      /* not JSON: fall through */
    }
    return new ApiError(
      res.status,
      `HTTP_${res.status}`,
      res.statusText || 'The service did not answer as expected',
      requestId,
    );
  }
}

/** A person-readable sentence for an error, by code and status; the API's own message otherwise. */
export function describeError(e: unknown): { text: string; requestId: string | null } {
  if (!(e instanceof ApiError))
    return {
      text: e instanceof Error ? `Something went wrong: ${e.message}` : 'Something went wrong.',
      requestId: null,
    };
  const known: Record<string, string> = {
    UNAUTHORIZED: 'Your sign-in has expired or is not valid. Sign in again.',
    FORBIDDEN: 'Your role does not allow this. Ask an admin of your company if you need it.',
    RATE_LIMITED: 'Too many requests in a short time. Wait a moment and try again.',
    INTEGRATION_NOT_ACTIVE: 'This account is not active. Reconnect it first.',
    PERMISSION_SET_NAME_TAKEN:
      'A permission set with this name already exists. Choose another name.',
    POLICY_VERSION_CHANGED:
      'The policies changed while you were reading them. Read the updated policies and accept again.',
    POLICIES_NOT_ACCEPTED: 'The policies must be accepted before connecting.',
  };
  const text =
    known[e.code] ??
    (e.status === 403
      ? known.FORBIDDEN
      : e.status >= 500
        ? 'The service had a problem. Try again in a moment.'
        : e.message);
  const details = e.details.length
    ? ` (${e.details.map((d) => `${d.field}: ${d.message}`).join('; ')})`
    : '';
  return { text: text + details, requestId: e.requestId };
}
