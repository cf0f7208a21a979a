'use client';

import Link from 'next/link';
import { ErrorState } from './error-state';

/** The body of every error.tsx: what broke, a retry, and a way home. */
export function RouteError({ title, error, retry }: { title: string; error: unknown; retry: () => void }) {
  return (
    <div className="max-w-2xl space-y-3">
      <ErrorState title={title} error={error} onRetry={retry} />
      <p className="text-sm">
        <Link href="/" className="text-accent hover:underline">
          Back to all clusters
        </Link>
      </p>
    </div>
  );
}
