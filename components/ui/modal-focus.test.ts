import { describe, expect, it } from 'vitest';
import { nextFocusIndex } from './modal-focus';

describe('nextFocusIndex (Tab inside a modal dialog)', () => {
  it.each<[string, number, number, boolean, number]>([
    ['Tab moves on', 4, 1, false, 2],
    ['Tab from the last wraps to the first', 4, 3, false, 0],
    ['Shift+Tab moves back', 4, 2, true, 1],
    ['Shift+Tab from the first wraps to the last', 4, 0, true, 3],
    ['Tab from outside the list goes to the first', 4, -1, false, 0],
    ['Shift+Tab from outside the list goes to the last', 4, -1, true, 3],
    ['one element: Tab stays on it', 1, 0, false, 0],
    ['one element: Shift+Tab stays on it', 1, 0, true, 0],
    ['nothing to focus', 0, -1, false, -1],
  ])('%s', (_name, count, current, backwards, expected) => {
    expect(nextFocusIndex(count, current, backwards)).toBe(expected);
  });
});
