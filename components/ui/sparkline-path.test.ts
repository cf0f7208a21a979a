import { describe, expect, it } from 'vitest';
import { sparklineGeometry } from './sparkline-path';

/** The y of every point of a path "M x y L x y …". */
function ys(d: string): number[] {
  return [...d.matchAll(/[ML][\d.-]+ ([\d.-]+)/g)].map((m) => Number(m[1]));
}

describe('sparklineGeometry', () => {
  it('draws an all-zero series on the bottom line, not at mid-height', () => {
    const g = sparklineGeometry([0, 0, 0, 0], 56, 16);
    expect(g).not.toBeNull();
    expect(ys(g!.d)).toEqual([14.5, 14.5, 14.5, 14.5]);
    expect(g!.lastY).toBe(14.5);
  });
  it('draws another flat series at mid-height', () => {
    expect(ys(sparklineGeometry([5, 5, 5], 56, 16)!.d)).toEqual([8, 8, 8]);
  });
  it('scales the lowest value to the bottom and the highest to the top', () => {
    const g = sparklineGeometry([0, 10, 5], 56, 16)!;
    expect(ys(g.d)).toEqual([14.5, 1.5, 8]);
    expect([g.min, g.max]).toEqual([0, 10]);
  });
  it('spreads the points across the width, the last at the right edge less the padding', () => {
    const g = sparklineGeometry([1, 2, 3], 56, 16)!;
    expect(g.d.startsWith('M1.5 ')).toBe(true);
    expect(g.lastX).toBe(54.5);
  });
  it('has nothing to draw with fewer than two values', () => {
    expect(sparklineGeometry([], 56, 16)).toBeNull();
    expect(sparklineGeometry([3], 56, 16)).toBeNull();
  });
});
