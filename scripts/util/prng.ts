/**
 * A small seeded PRNG (mulberry32) for reproducible test data, fault injection and benchmarks.
 * Not for secrets.
 *
 * @param seed - any 32-bit integer.
 * @returns a function giving numbers in [0, 1).
 * @example
 * const rnd = prng(42); rnd(); // 0.6011…
 */
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
