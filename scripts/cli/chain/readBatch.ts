import type { Address, Hex } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { CliError } from "../errors.js";
import { decodeLedgerError } from "./decodeLedgerError.js";
import type { LedgerContext } from "./openLedger.js";

/** A batch's on-chain record. */
export type BatchRecord = {
  batchId: Hex;
  root: Hex;
  supplier: Address;
  count: bigint;
  expiresAt: bigint;
  restricted: boolean;
  /** v2: redemption needs a live sale (always false on v1). */
  saleRequired: boolean;
};

/**
 * Reads a batch's on-chain record (batchOf); with `require`, a missing batch is an error naming
 * the batch, the ledger and the chain.
 *
 * @param ctx - an opened ledger.
 * @param batchId - the batch.
 * @param require - throw when the batch does not exist (default true).
 * @returns the record, or undefined when absent and not required.
 * @example
 * const b = await readBatch(ctx, batchId);
 */
export async function readBatch(ctx: LedgerContext, batchId: Hex, require = true): Promise<BatchRecord | undefined> {
  let r: readonly [Hex, Address, bigint, bigint, boolean, boolean?];
  try {
    r =
      ctx.version === 2
        ? await ctx.publicClient.readContract({
            address: ctx.ledger,
            abi: keyLedgerV2Abi,
            functionName: "batchOf",
            args: [batchId],
          })
        : await ctx.publicClient.readContract({
            address: ctx.ledger,
            abi: keyLedgerAbi,
            functionName: "batchOf",
            args: [batchId],
          });
  } catch (e) {
    throw await decodeLedgerError(e, {
      rpcUrl: ctx.rpcUrl,
      chainId: ctx.chainId,
      action: `read batch ${batchId}`,
      version: ctx.version,
    });
  }
  const [root, supplier, count, expiresAt, restricted, saleRequired = false] = r;
  if (/^0x0{40}$/i.test(supplier)) {
    if (!require) return undefined;
    throw new CliError(`There is no batch ${batchId} on ledger ${ctx.ledger} (chain id ${ctx.chainId}).`, {
      details: "Check --batch, or anchor the batch first: keytrail batch anchor <folder>.",
    });
  }
  return { batchId, root, supplier, count, expiresAt, restricted, saleRequired };
}
