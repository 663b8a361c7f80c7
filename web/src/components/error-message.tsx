import { describeError } from '../api/errors';

/** An API error in words, with its request id (what support asks for). */
export function ErrorMessage({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  const { text, requestId } = describeError(error);
  return (
    <div role="alert" className="notice notice-error">
      <p>
        {prefix ? `${prefix} ` : ''}
        {text}
      </p>
      {requestId && <p className="request-id">Request id: {requestId}</p>}
    </div>
  );
}

/** Loading and empty states, said in words (screen readers hear them too). */
export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}
