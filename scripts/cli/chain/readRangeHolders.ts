import type { Address, Chain, Hex, PublicClient, Transport } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import type { LedgerVersion } from "./ledgerAbiOf.js";

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
  /** The ledger's version (default 1): v2 is read with `segmentOf`. */
  version?: LedgerVersion | undefined;
};

/**
 * Reads who holds each part of a key range from the ledger's segments: one `keyStatus` call for
 * the segment holding `start`, then `segmentAt` for each following segment (v2: `segmentOf` for each). Adjacent segments of
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
  const segment = async (index: bigint): Promise<readonly [Address, bigint]> => {
    if (parameters.version === 2) {
      const [, segEnd, holder] = await publicClient.readContract({
        address: ledger,
        abi: keyLedgerV2Abi,
        functionName: "segmentOf",
        args: [batchId, index],
      });
      return [holder, BigInt(segEnd)];
    }
    const [holder, segEnd] = await publicClient.readContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "segmentAt",
      args: [batchId, index],
    });
    return [holder, BigInt(segEnd)];
  };
  const first: readonly [Address, bigint] = parameters.version === 2 ? await segment(start) : await firstV1();
  const parts: RangeHolder[] = [];
  let [holder, segEnd] = first;
  let pos = start;
  for (let reads = 1; ; reads++) {
    const partEnd = segEnd < end ? segEnd : end;
    const last = parts.at(-1);
    if (last && last.holder.toLowerCase() === holder.toLowerCase()) last.end = partEnd;
    else if (parts.length === maxParts) break;
    else parts.push({ start: pos, end: partEnd, holder });
    if (partEnd >= end || segEnd <= pos || reads >= maxParts * 5) break;
    pos = segEnd;
    [holder, segEnd] = await segment(pos);
  }
  return parts;

  async function firstV1(): Promise<readonly [Address, bigint]> {
    const status = await publicClient.readContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "keyStatus",
      args: [batchId, start, 0n],
    });
    return [status.holder, BigInt(status.segmentEnd)];
  }
}
