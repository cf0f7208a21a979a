import { isApiError } from '@/lib/api/client';

/** What went wrong, in the console's words: "HTTP 502 · ssh-unreachable: …" */
export function describeError(error: unknown): { title: string; detail: string } {
  if (isApiError(error)) {
    const where = error.status === 0 ? 'No response' : `HTTP ${error.status}`;
    return { title: `${where} · ${error.code}`, detail: error.message };
  }
  if (error instanceof Error) return { title: error.name, detail: error.message };
  return { title: 'Error', detail: String(error) };
}

/** A failed request's sentence where the form or panel that made it stands (an alert). */
export function ErrorText({ error, prefix, testId, className = '' }: { error: unknown; prefix?: string; testId?: string; className?: string }) {
  return (
    <p role="alert" className={`text-sm text-red-800 dark:text-red-300 ${className}`} data-testid={testId}>
      {prefix}
      {describeError(error).detail}
    </p>
  );
}

export function ErrorState({
  title = 'Could not load this view',
  error,
  onRetry,
  retrying,
}: {
  title?: string;
  error: unknown;
  onRetry?: () => void;
  retrying?: boolean;
}) {
  const { title: what, detail } = describeError(error);
  return (
    <div
      role="alert"
      data-testid="error-state"
      className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200"
    >
      <p className="font-semibold">{title}</p>
      <p className="mt-1">
        <span className="font-mono text-xs">{what}</span>: {detail}
      </p>
      {onRetry ? (
        <button
          type="button"
          onClick={onRetry}
          disabled={retrying}
          className="mt-3 rounded-md border border-red-300 bg-white px-3 py-1 text-sm font-medium text-red-900 hover:bg-red-100 disabled:opacity-60 dark:border-red-400/40 dark:bg-transparent dark:text-red-200 dark:hover:bg-red-400/10"
        >
          {retrying ? 'Retrying…' : 'Retry now'}
        </button>
      ) : null}
    </div>
  );
}

/** An error as the { code, message } pair StaleBanner shows. */
export function errorCodeAndMessage(error: unknown): { code: string; message: string } {
  if (isApiError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'error', message: String(error) };
}
