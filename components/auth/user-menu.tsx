'use client';

import { useState } from 'react';
import { apiPost } from '@/lib/api/client';
import type { Me } from '@/lib/models/auth';

// Who is logged in (name and role), and the way out.

export function UserMenu({ me }: { me: Me }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function logout() {
    setBusy(true);
    setError(null);
    try {
      await apiPost('/api/auth/logout', {});
      window.location.assign('/login');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <div className="flex items-center gap-2 text-sm" data-testid="user-menu">
      <span className="text-muted">
        <span className="font-medium text-ink" data-testid="user-name">
          {me.name}
        </span>{' '}
        <span className="rounded bg-sunken px-1.5 py-0.5 text-xs" data-testid="user-role">
          {me.role}
          {me.clusters ? ` · ${me.clusters.join(', ')}` : ''}
        </span>
      </span>
      {me.via === 'session' ? (
        <button
          type="button"
          onClick={() => void logout()}
          disabled={busy}
          className="rounded-md border border-line px-2.5 py-1 text-sm whitespace-nowrap text-muted hover:bg-hover hover:text-ink disabled:opacity-60"
          data-testid="logout-button"
        >
          Log out
        </button>
      ) : null}
      {error ? (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </span>
      ) : null}
    </div>
  );
}
