import type { Hex } from "viem";
import { getLedgerLogs } from "./getLedgerLogs.js";
import type { LedgerContext } from "./openLedger.js";

/**
 * The redemption bitmap of a batch rebuilt from its KeysRedeemed logs (word index -> mask).
 *
 * @param ctx - an opened ledger.
 * @param batchId - the batch.
 * @returns the nonzero words.
 * @example
 * const words = await loadRedeemed(ctx, batchId);
 */
export async function loadRedeemed(
  ctx: Pick<LedgerContext, "publicClient" | "ledger" | "deployBlock">,
  batchId: Hex,
): Promise<Map<bigint, bigint>> {
  const logs = await getLedgerLogs(ctx.publicClient, {
    address: ctx.ledger,
    events: ["KeysRedeemed"],
    topic1: batchId,
    fromBlock: ctx.deployBlock,
  });
  const words = new Map<bigint, bigint>();
  for (const log of logs) {
    const a = log.args;
    words.set(a.wordIndex, (words.get(a.wordIndex) ?? 0n) | a.mask);
  }
  return words;
}
