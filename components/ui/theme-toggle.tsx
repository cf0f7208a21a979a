'use client';

import { parseThemeChoice, resolveTheme, THEME_CHOICES, THEME_STORAGE_KEY } from '@/lib/theme';
import { ChoiceSelect } from './choice-select';
import { storedChoice } from './stored-choice';

// System / Light / Dark in the top bar. The choice is kept in localStorage; the boot script in the
// page's <head> (lib/theme.ts) applies it before the first paint on every later load.

const theme = storedChoice(THEME_STORAGE_KEY, parseThemeChoice, 'system');

export function ThemeToggle() {
  const choice = theme.use();
  return (
    <ChoiceSelect
      label="Theme"
      value={choice}
      choices={THEME_CHOICES}
      testId="theme-toggle"
      onChange={(value) => {
        const next = parseThemeChoice(value);
        theme.set(next);
        const applied = resolveTheme(next, window.matchMedia('(prefers-color-scheme: dark)').matches);
        document.documentElement.setAttribute('data-theme', applied);
        document.documentElement.style.colorScheme = applied;
      }}
    />
  );
}
