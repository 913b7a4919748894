import type { Hex } from "viem";
import { getLedgerLogs } from "./getLedgerLogs.js";
import { getLedgerV2Logs } from "./getLedgerV2Logs.js";
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
  ctx: Pick<LedgerContext, "publicClient" | "ledger" | "deployBlock" | "version">,
  batchId: Hex,
): Promise<Map<bigint, bigint>> {
  const words = new Map<bigint, bigint>();
  if (ctx.version === 2) {
    // v2 logs `by` as data, not as a topic: decoded with the v2 ABI
    const logs = await getLedgerV2Logs(ctx.publicClient, {
      address: ctx.ledger,
      event: "KeysRedeemed",
      args: { batchId },
      fromBlock: ctx.deployBlock,
    });
    for (const { args: a } of logs) words.set(a.wordIndex, (words.get(a.wordIndex) ?? 0n) | a.mask);
    return words;
  }
  const logs = await getLedgerLogs(ctx.publicClient, {
    address: ctx.ledger,
    events: ["KeysRedeemed"],
    topic1: batchId,
    fromBlock: ctx.deployBlock,
  });
  for (const log of logs) {
    const a = log.args;
    words.set(a.wordIndex, (words.get(a.wordIndex) ?? 0n) | a.mask);
  }
  return words;
}
