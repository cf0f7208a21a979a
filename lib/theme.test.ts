import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseThemeChoice, resolveTheme, THEME_BOOT_SCRIPT, THEME_STORAGE_KEY, type ThemeChoice } from './theme';

/** Runs the boot script against a stand-in window; returns what it set and the listeners it added. */
function boot(stored: string | null, systemDark: boolean) {
  const attrs: Record<string, string> = {};
  const style: { colorScheme?: string } = {};
  const listeners: Record<string, (e: { key?: string }) => void> = {};
  const media = { matches: systemDark, addEventListener: (_t: string, f: () => void) => (listeners.media = f) };
  const window = {
    matchMedia: () => media,
    localStorage: { getItem: (k: string) => (k === THEME_STORAGE_KEY ? stored : null) },
    addEventListener: (t: string, f: (e: { key?: string }) => void) => (listeners[t] = f),
  };
  const document = { documentElement: { setAttribute: (k: string, v: string) => (attrs[k] = v), style } };
  runInNewContext(THEME_BOOT_SCRIPT, { window, document });
  return { attrs, style, listeners, media, setStored: (v: string | null) => (stored = v) };
}

describe('theme', () => {
  it.each<[string | null, ThemeChoice]>([
    [null, 'system'],
    ['dark', 'dark'],
    ['light', 'light'],
    ['purple', 'system'],
  ])('stored %s is the choice %s', (stored, choice) => {
    expect(parseThemeChoice(stored)).toBe(choice);
  });

  it.each<[ThemeChoice, boolean]>([
    ['system', false],
    ['system', true],
    ['light', true],
    ['dark', false],
  ])('the boot script agrees with resolveTheme: %s, system dark %s', (choice, systemDark) => {
    const { attrs, style } = boot(choice === 'system' ? null : choice, systemDark);
    const theme = resolveTheme(choice, systemDark);
    expect(attrs['data-theme']).toBe(theme);
    expect(style.colorScheme).toBe(theme);
  });

  it('follows the system while the choice is "system", and a choice made in another tab', () => {
    const b = boot(null, false);
    expect(b.attrs['data-theme']).toBe('light');
    b.media.matches = true;
    b.listeners.media?.({});
    expect(b.attrs['data-theme']).toBe('dark');
    b.setStored('light');
    b.listeners.storage?.({ key: THEME_STORAGE_KEY });
    expect(b.attrs['data-theme']).toBe('light');
  });

  it('a broken localStorage (privacy mode) falls back to the system preference', () => {
    const attrs: Record<string, string> = {};
    const window = {
      matchMedia: () => ({ matches: true, addEventListener: () => undefined }),
      get localStorage(): never {
        throw new Error('denied');
      },
      addEventListener: () => undefined,
    };
    const document = { documentElement: { setAttribute: (k: string, v: string) => (attrs[k] = v), style: {} } };
    runInNewContext(THEME_BOOT_SCRIPT, { window, document });
    expect(attrs['data-theme']).toBe('dark');
  });
});
