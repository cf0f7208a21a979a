'use client';

import { useState, type FormEvent } from 'react';
import { api, isApiError } from '@/lib/api/client';
import { Me } from '@/lib/models/auth';
import { safeNextPath } from '@/lib/safe-next';

// The login form. On success the whole page reloads at `next`, so the layout renders with the user.

export function LoginForm({ next }: { next: string }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/auth/login', { name, password }, Me);
      // Checked again against this page's origin: `next` must never leave the console.
      window.location.assign(safeNextPath(next, window.location.origin));
    } catch (err) {
      setError(isApiError(err) ? err.message : 'the console did not answer; try again');
      setPassword('');
      setBusy(false);
    }
  }

  const field = 'mt-1 block w-full rounded-md border border-line-strong bg-surface px-3 py-1.5 text-sm text-ink placeholder:text-faint focus:border-accent';
  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-4" data-testid="login-form" noValidate>
      <label className="block text-sm font-medium">
        User name
        <input className={field} name="username" autoComplete="username" required value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      </label>
      <label className="block text-sm font-medium">
        Password
        <input
          className={field}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {error ? (
        <p role="alert" data-testid="login-error" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200">
          {error}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={busy || name === '' || password === ''}
        className="w-full rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
      >
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
