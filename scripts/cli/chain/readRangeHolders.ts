import type { Address, Chain, Hex, PublicClient, Transport } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";

/** One part of a range with a single holder: `[start, end)`. */
export type RangeHolder = { start: bigint; end: bigint; holder: Address };

/** Parameters of {@link readRangeHolders}. */
export type ReadRangeHoldersParameters = {
  batchId: Hex;
  /** First index of the range. */
  start: bigint;
  /** One past the last index (half-open, as the contract has it). */
  end: bigint;
  /** Most parts to list; the list then ends short of `end` (default 10). Reads stop after 5 segments per part. */
  maxParts?: number | undefined;
};

/**
 * Reads who holds each part of a key range from the ledger's segments: one `keyStatus` call for
 * the segment holding `start`, then `segmentAt` for each following segment. Adjacent segments of
 * one holder (split by a revocation, say) are merged into one part.
 *
 * @param publicClient - a client of the ledger's chain.
 * @param ledger - the KeyLedger address.
 * @param parameters - see {@link ReadRangeHoldersParameters}.
 * @returns the parts in index order, clipped to the range; shorter than the range if `maxParts` was reached.
 * @example
 * await readRangeHolders(publicClient, ledger, { batchId, start: 0n, end: 20n })
 * // [{ start: 0n, end: 10n, holder: "0xA…" }, { start: 10n, end: 20n, holder: "0xB…" }]
 */
export async function readRangeHolders(
  publicClient: PublicClient<Transport, Chain>,
  ledger: Address,
  parameters: ReadRangeHoldersParameters,
): Promise<RangeHolder[]> {
  const { batchId, start, end } = parameters;
  const maxParts = parameters.maxParts ?? 10;
  const status = await publicClient.readContract({
    address: ledger,
    abi: keyLedgerAbi,
    functionName: "keyStatus",
    args: [batchId, start, 0n],
  });
  const parts: RangeHolder[] = [];
  let holder = status.holder;
  let segEnd = BigInt(status.segmentEnd);
  let pos = start;
  for (let reads = 1; ; reads++) {
    const partEnd = segEnd < end ? segEnd : end;
    const last = parts.at(-1);
    if (last && last.holder.toLowerCase() === holder.toLowerCase()) last.end = partEnd;
    else if (parts.length === maxParts) break;
    else parts.push({ start: pos, end: partEnd, holder });
    if (partEnd >= end || segEnd <= pos || reads >= maxParts * 5) break;
    pos = segEnd;
    const [h, e] = await publicClient.readContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "segmentAt",
      args: [batchId, pos],
    });
    holder = h;
    segEnd = BigInt(e);
  }
  return parts;
}
