/**
 * A set of key indices kept as sorted, disjoint, non-adjacent half-open ranges `[start, end)`.
 * Indices are below 2^48, so plain numbers are exact.
 *
 * @example
 * const s = new IntervalSet(); s.add(0, 100); s.remove(10, 20); s.take(3); // [0, 1, 2]
 */
export class IntervalSet {
  /** The ranges, sorted by start. */
  ranges: [number, number][] = [];

  /** Number of indices in the set. */
  get size(): number {
    let n = 0;
    for (const [s, e] of this.ranges) n += e - s;
    return n;
  }

  /** Adds `[start, end)`. */
  add(start: number, end: number): void {
    if (end <= start) return;
    const out: [number, number][] = [];
    let s = start;
    let e = end;
    let placed = false;
    for (const r of this.ranges) {
      if (r[1] < s) out.push(r);
      else if (r[0] > e) {
        if (!placed) {
          out.push([s, e]);
          placed = true;
        }
        out.push(r);
      } else {
        s = Math.min(s, r[0]);
        e = Math.max(e, r[1]);
      }
    }
    if (!placed) out.push([s, e]);
    this.ranges = out;
  }

  /** Removes `[start, end)`. */
  remove(start: number, end: number): void {
    if (end <= start) return;
    const out: [number, number][] = [];
    for (const r of this.ranges) {
      if (r[1] <= start || r[0] >= end) out.push(r);
      else {
        if (r[0] < start) out.push([r[0], start]);
        if (r[1] > end) out.push([end, r[1]]);
      }
    }
    this.ranges = out;
  }

  /** Whether `index` is in the set. */
  has(index: number): boolean {
    return this.ranges.some(([s, e]) => index >= s && index < e);
  }

  /** Removes and returns the `n` lowest indices (FIFO), or null (set unchanged) when fewer are present. */
  take(n: number): number[] | null {
    if (this.size < n) return null;
    const out: number[] = [];
    while (out.length < n) {
      const r = this.ranges[0]!;
      const k = Math.min(n - out.length, r[1] - r[0]);
      for (let i = 0; i < k; i++) out.push(r[0] + i);
      if (r[0] + k === r[1]) this.ranges.shift();
      else r[0] += k;
    }
    return out;
  }
}

/**
 * Consecutive runs of sorted indices as half-open ranges: [3, 4, 5, 9] -> [[3, 6], [9, 10]].
 *
 * @param indices - strictly increasing indices.
 * @returns the runs.
 * @example
 * toRanges([3, 4, 5, 9]); // [[3, 6], [9, 10]]
 */
export function toRanges(indices: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of indices) {
    const last = out[out.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}
