// Light or dark: the operator's choice (kept in this browser's localStorage) or, by default, the
// system's preference. THEME_BOOT_SCRIPT runs in the page's <head> before anything is painted, so a
// dark choice never flashes light first; it also follows the system's changes while "system" is chosen.

export const THEME_STORAGE_KEY = 'lvs-console-theme';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const THEME_CHOICES: readonly { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** A stored value as a choice; anything unknown (or nothing) is "system". */
export function parseThemeChoice(stored: string | null | undefined): ThemeChoice {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): Theme {
  return choice === 'system' ? (systemPrefersDark ? 'dark' : 'light') : choice;
}

/**
 * The inline script (plain ES5, no imports: it runs before any bundle). Same rule as resolveTheme;
 * a unit test runs it against both. Sets data-theme and color-scheme on <html>.
 */
export const THEME_BOOT_SCRIPT = `(function(){try{var k=${JSON.stringify(THEME_STORAGE_KEY)},m=window.matchMedia("(prefers-color-scheme: dark)");function a(){var c=null;try{c=window.localStorage.getItem(k)}catch(e){}var d=c==="dark"||(c!=="light"&&m.matches),r=document.documentElement;r.setAttribute("data-theme",d?"dark":"light");r.style.colorScheme=d?"dark":"light"}a();m.addEventListener("change",a);window.addEventListener("storage",function(e){if(e.key===k)a()})}catch(e){}})();`;
