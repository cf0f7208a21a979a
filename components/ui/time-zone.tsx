'use client';

import { parseTimeZoneChoice, TIME_ZONE_CHOICES, TIME_ZONE_STORAGE_KEY, timeZoneOf, type TimeZoneChoice } from '@/lib/time-zone';
import { ChoiceSelect } from './choice-select';
import { storedChoice } from './stored-choice';

// Local / UTC in the top bar (lib/time-zone.ts): every clock of the console follows it.

const zone = storedChoice<TimeZoneChoice>(TIME_ZONE_STORAGE_KEY, parseTimeZoneChoice, 'local');

/** The operator's choice of zone for the times shown. */
export const useTimeZoneChoice = zone.use;

/** The zone to format times in (undefined: the browser's own). */
export function useTimeZone(): string | undefined {
  return timeZoneOf(zone.use());
}

export function TimeZoneToggle() {
  const choice = zone.use();
  return <ChoiceSelect label="Times" value={choice} choices={TIME_ZONE_CHOICES} testId="time-zone-toggle" onChange={(v) => zone.set(parseTimeZoneChoice(v))} />;
}
