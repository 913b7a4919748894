import type { Hex } from "viem";
import { getLedgerLogs } from "./getLedgerLogs.js";
import type { LedgerContext } from "./openLedger.js";

/**
 * Every segment start of a batch, from the chain's logs: segments only split, and every transfer,
 * revocation or reinstatement splits at its range's start and end, so the starts are 0 and the
 * bounds of those ranges (below count). Used to compute hints without walking segments.
 *
 * @param ctx - an opened ledger.
 * @param batchId - the batch.
 * @returns the starts, sorted ascending, without duplicates.
 * @example
 * const starts = await loadSegmentStarts(ctx, batchId);
 */
export async function loadSegmentStarts(
  ctx: Pick<LedgerContext, "publicClient" | "ledger" | "deployBlock">,
  batchId: Hex,
): Promise<bigint[]> {
  const events = ["CustodyTransferred", "KeysRevoked", "KeysReinstated"] as const;
  const logs = await getLedgerLogs(ctx.publicClient, {
    address: ctx.ledger,
    events,
    topic1: batchId,
    fromBlock: ctx.deployBlock,
  });
  const set = new Set<bigint>([0n]);
  for (const log of logs) {
    const a = log.args;
    set.add(a.start);
    set.add(a.end);
  }
  return [...set].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
