/** One benchmark figure, with its anchor measured in the same run. */
export type BenchResult = {
  /** What was measured, e.g. "seal 1M keys end to end". */
  name: string;
  /** Unit of `value`, e.g. "keys/s", "ms p99", "gas", "bytes". */
  unit: string;
  /** Our figure. */
  value: number;
  /** The reference implementation measured in the same run. */
  anchor?: { name: string; value: number };
  /** ours / anchor for rates; the notes say which way is better for other units. */
  ratio?: number;
  notes?: string;
};

/** Options every benchmark module's `run` receives. */
export type BenchOptions = { quick?: boolean; json?: boolean };
