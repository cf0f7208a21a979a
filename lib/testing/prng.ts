// A seeded pseudo-random generator for fuzz tests and the bench's generated directors: the same
// numbers for the same seed, so a failing case can be replayed.

/** mulberry32: numbers in [0, 1), small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
