// Which zone the console's times are shown in: the browser's own ("local", the default) or UTC,
// the operator's choice kept in this browser's localStorage (the top bar's Times toggle). Every
// clock carries its zone's name ("12:03:04 UTC", "12:03:04 GMT+1"), so a time read off a
// screenshot or pasted in chat is never ambiguous.

export const TIME_ZONE_STORAGE_KEY = 'lvs-console-time-zone';

export type TimeZoneChoice = 'local' | 'utc';

export const TIME_ZONE_CHOICES: readonly { value: TimeZoneChoice; label: string }[] = [
  { value: 'local', label: 'Local' },
  { value: 'utc', label: 'UTC' },
];

/** A stored value as a choice; anything unknown (or nothing) is "local". */
export function parseTimeZoneChoice(stored: string | null | undefined): TimeZoneChoice {
  return stored === 'utc' ? 'utc' : 'local';
}

/** The IANA zone for Intl (undefined: the runtime's own zone). */
export function timeZoneOf(choice: TimeZoneChoice): string | undefined {
  return choice === 'utc' ? 'UTC' : undefined;
}

/**
 * A date-and-time input's value ("2024-05-02T12:03", as <input type="datetime-local"> takes it)
 * for epoch ms, in the chosen zone.
 */
export function toDateTimeInput(ms: number, choice: TimeZoneChoice): string {
  const shifted = choice === 'utc' ? ms : ms - new Date(ms).getTimezoneOffset() * 60_000;
  return new Date(shifted).toISOString().slice(0, 16);
}

/** The reverse: an input's value read in the chosen zone; undefined when empty or unreadable. */
export function fromDateTimeInput(value: string, choice: TimeZoneChoice): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return undefined;
  const t = choice === 'utc' ? Date.parse(`${value}Z`) : new Date(value).getTime();
  return Number.isNaN(t) ? undefined : t;
}
