import { createBlockRangeSizer } from "./createBlockRangeSizer.js";
import type { BlockRangeResize, BlockRangeSizerParameters } from "./createBlockRangeSizer.js";

/** A block range, both ends included. */
export type BlockRange = { fromBlock: bigint; toBlock: bigint };

/** Parameters of {@link getLogsInChunks}. */
export type GetLogsInChunksParameters<log> = {
  fromBlock: bigint;
  toBlock: bigint;
  /** One `eth_getLogs` over a range (the caller's client, filter and decoding). */
  getLogs: (range: BlockRange) => Promise<readonly log[]>;
  /** Span policy: see {@link createBlockRangeSizer}. */
  chunk: BlockRangeSizerParameters;
  /** Whether an error means "this range is too large" (shrink and ask again, no retry counted). */
  isRangeTooLarge: (error: unknown) => boolean;
  /**
   * Any other error (or a too-large one at span 1). Throw to stop; return (after a back-off) to
   * ask for the same range again. `attempt` counts failures of this range, from 1. Default: rethrow.
   */
  onError?: ((error: unknown, context: BlockRange & { attempt: number }) => Promise<void> | void) | undefined;
  /** Called after each range read. */
  onChunk?: ((chunk: BlockRange & { logs: number; fetched: number }) => void) | undefined;
  /** Called when the span changes. */
  onResize?: ((change: BlockRangeResize) => void) | undefined;
};

/** What {@link getLogsInChunks} returns. */
export type GetLogsInChunksReturnType<log> = {
  /** Every log, in the order of the ranges (each range as the node answered it). */
  logs: log[];
  /** `getLogs` calls made, failed ones included. */
  requests: number;
  /** Ranges read. */
  chunks: number;
};

/**
 * The one adaptive `eth_getLogs` loop: reads [fromBlock, toBlock] range by range, shrinking the
 * range when the node says it is too large (or the answer too big) and growing it while answers
 * are cheap, with the caller's own retry and error classification.
 *
 * @param parameters - see {@link GetLogsInChunksParameters}.
 * @returns the logs and counts.
 * @throws whatever `onError` throws (by default the error itself).
 * @example
 * const { logs } = await getLogsInChunks({
 *   fromBlock: 0n, toBlock: head, chunk: { initialBlocks: 5_000, maxBlocks: 5_000 },
 *   getLogs: (r) => client.getLogs({ address, ...r }), isRangeTooLarge: (e) => /too large/i.test(String(e)),
 * });
 */
export async function getLogsInChunks<log>(
  parameters: GetLogsInChunksParameters<log>,
): Promise<GetLogsInChunksReturnType<log>> {
  const { toBlock } = parameters;
  const sizer = createBlockRangeSizer(parameters.chunk);
  const logs: log[] = [];
  let requests = 0;
  let chunks = 0;
  let attempt = 0;
  let from = parameters.fromBlock;
  while (from <= toBlock) {
    const last = from + BigInt(sizer.blocks) - 1n;
    const to = last < toBlock ? last : toBlock;
    const span = Number(to - from + 1n);
    let got: readonly log[];
    try {
      requests++;
      got = await parameters.getLogs({ fromBlock: from, toBlock: to });
    } catch (e) {
      const change = parameters.isRangeTooLarge(e) ? sizer.tooLarge(span) : null;
      if (change) {
        parameters.onResize?.(change);
        continue;
      }
      attempt++;
      if (!parameters.onError) throw e;
      await parameters.onError(e, { fromBlock: from, toBlock: to, attempt });
      continue;
    }
    for (const l of got) logs.push(l);
    chunks++;
    attempt = 0;
    const change = sizer.fetched(span, got.length);
    if (change) parameters.onResize?.(change);
    parameters.onChunk?.({ fromBlock: from, toBlock: to, logs: got.length, fetched: logs.length });
    from = to + 1n;
  }
  return { logs, requests, chunks };
}
