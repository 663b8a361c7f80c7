/** A TikTok error answer: HTTP 200 with a non-zero `code`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message?: string,
  ) {
    super(message ?? defaultMessage(code));
  }
}

/** The message TikTok sends with a code. */
export function defaultMessage(code: number): string {
  switch (code) {
    case 0:
      return 'OK';
    case 40001:
      return 'No permission to operate this object or scope not authorized.';
    case 40002:
      return 'Invalid parameters.';
    case 40007:
      return 'The object does not exist.';
    case 40100:
      return 'Too many requests. Please retry in some time.';
    case 40101:
      return 'The auth_code is invalid or expired.';
    case 40102:
      return 'Access token has expired.';
    case 40103:
      return 'Refresh token has expired.';
    case 40104:
      return 'Access token is empty.';
    case 40105:
      return 'Access token is invalid or has been revoked.';
    case 40107:
      return 'Refresh token is invalid.';
    case 40108:
      return 'Invalid grant_type.';
    case 40110:
      return 'The auth_code has already been used.';
    case 40113:
      return 'The app is blocked or the client credentials do not match.';
    case 40130:
      return 'No permission to read a requested field.';
    case 50000:
      return 'System error. Please retry later.';
    case 50002:
      return 'Service temporarily unavailable.';
    default:
      return code >= 50000 ? 'System error.' : 'Request failed.';
  }
}
