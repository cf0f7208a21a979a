'use client';

import { useSyncExternalStore } from 'react';
import { parseThemeChoice, resolveTheme, THEME_CHOICES, THEME_STORAGE_KEY, type ThemeChoice } from '@/lib/theme';

// System / Light / Dark in the top bar. The choice is kept in localStorage; the boot script in the
// page's <head> (lib/theme.ts) applies it before the first paint on every later load.

const CHANGED = 'lvs-theme-change';

function readChoice(): ThemeChoice {
  try {
    return parseThemeChoice(window.localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return 'system';
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('storage', onChange);
  window.addEventListener(CHANGED, onChange);
  return () => {
    window.removeEventListener('storage', onChange);
    window.removeEventListener(CHANGED, onChange);
  };
}

function choose(choice: ThemeChoice): void {
  try {
    if (choice === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Storage refused (privacy mode): the choice still applies to this page.
  }
  const theme = resolveTheme(choice, window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-theme', theme);
  document.documentElement.style.colorScheme = theme;
  window.dispatchEvent(new Event(CHANGED));
}

export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribe, readChoice, () => 'system' as const);
  return (
    <label className="flex items-center gap-1 text-xs text-muted">
      <span className="sr-only sm:not-sr-only">Theme</span>
      <select
        value={choice}
        onChange={(e) => choose(parseThemeChoice(e.target.value))}
        className="rounded-md border border-line bg-surface px-1.5 py-1 text-xs text-ink"
        data-testid="theme-toggle"
      >
        {THEME_CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
