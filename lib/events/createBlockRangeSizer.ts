import { InvalidBlockSpanError } from "./errors.js";

/** Parameters of {@link createBlockRangeSizer}. */
export type BlockRangeSizerParameters = {
  /** First span, in blocks (clamped to [1, maxBlocks]). */
  initialBlocks: number;
  /** Largest span, in blocks. */
  maxBlocks: number;
  /**
   * Logs per range to aim at: a full range with more halves the span ("busy"), one with fewer
   * than half of it doubles the span ("cheap"). Default: no target, every full range doubles it.
   */
  targetLogs?: number | undefined;
};

/** Why the span changed. */
export type BlockRangeResize = { blocks: number; reason: "too-large" | "busy" | "cheap" };

/** The adaptive span of an `eth_getLogs` loop: see {@link createBlockRangeSizer}. */
export type BlockRangeSizer = {
  /** The span to ask for next, in blocks (>= 1). */
  readonly blocks: number;
  /**
   * The node refused a range of `span` blocks as too large: halves the span (of `span` when the
   * range was a short one at the end). Returns the change, or null when the span is already 1.
   */
  tooLarge(span: number): BlockRangeResize | null;
  /** A range of `span` blocks gave `logs` logs: grows or shrinks the span, returns the change or null. */
  fetched(span: number, logs: number): BlockRangeResize | null;
};

/**
 * The block-range policy of every `eth_getLogs` loop (the indexer's backfill, the audit's replay,
 * the CLI): halve on "too large" answers, halve when a range is busier than the target, double
 * while ranges are cheap, up to `maxBlocks`. A short range (at the head) says nothing about the
 * span and changes nothing.
 *
 * @param parameters - see {@link BlockRangeSizerParameters}.
 * @returns a {@link BlockRangeSizer}.
 * @throws InvalidBlockSpanError when a span is not a positive integer.
 * @example
 * const sizer = createBlockRangeSizer({ initialBlocks: 100, maxBlocks: 50_000, targetLogs: 4_000 });
 * const change = sizer.fetched(100, 12); // { blocks: 200, reason: "cheap" }
 */
export function createBlockRangeSizer(parameters: BlockRangeSizerParameters): BlockRangeSizer {
  const { maxBlocks } = parameters;
  const target = parameters.targetLogs ?? Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(maxBlocks) || maxBlocks < 1) {
    throw new InvalidBlockSpanError(`maxBlocks ${maxBlocks} is not an integer >= 1.`);
  }
  if (!Number.isSafeInteger(parameters.initialBlocks) || parameters.initialBlocks < 1) {
    throw new InvalidBlockSpanError(`initialBlocks ${parameters.initialBlocks} is not an integer >= 1.`);
  }
  let blocks = Math.min(parameters.initialBlocks, maxBlocks);
  return {
    get blocks() {
      return blocks;
    },
    tooLarge(span) {
      if (blocks <= 1) return null;
      blocks = Math.max(1, Math.floor(Math.min(blocks, span) / 2));
      return { blocks, reason: "too-large" };
    },
    fetched(span, logs) {
      if (span < blocks) return null;
      if (logs > target && blocks > 1) {
        blocks = Math.max(1, Math.floor(blocks / 2));
        return { blocks, reason: "busy" };
      }
      if (logs < target / 2 && blocks < maxBlocks) {
        blocks = Math.min(maxBlocks, blocks * 2);
        return { blocks, reason: "cheap" };
      }
      return null;
    },
  };
}
