import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../abi/keyLedgerAbi.js";
import { REVOCATION_REASONS } from "../schemas/keyStatus.js";
import type { KeyStatus } from "../schemas/keyStatus.js";

/** Parameters of {@link readKeyStatus}. */
export type ReadKeyStatusParameters = { ledger: Address; batchId: Hex; index: number | bigint; hint?: number | bigint | undefined };

/**
 * Reads everything a verifier needs about one key with one `keyStatus` view call: the batch
 * root, supplier, count and expiry, the current holder and its segment, the frozen reason and
 * whether the key was redeemed. A batch that does not exist gives a zero root.
 *
 * @param client A viem public client on the ledger's chain.
 * @param parameters Ledger address, batch id, key index, and a segment hint (0 always works).
 * @returns The status, integers as numbers and the reason as a name.
 * @throws viem's errors when the RPC fails (the caller decides: `verifyPayload` reports "unreachable").
 *
 * @example
 * const s = await readKeyStatus(client, { ledger, batchId, index: 7 });
 * if (s.frozenReason !== "none") console.log("revoked:", s.frozenReason);
 */
export async function readKeyStatus(client: PublicClient, parameters: ReadKeyStatusParameters): Promise<KeyStatus> {
  const { ledger, batchId, index, hint } = parameters;
  const r = await client.readContract({ address: ledger, abi: keyLedgerAbi, functionName: "keyStatus", args: [batchId, BigInt(index), BigInt(hint ?? 0)] });
  return {
    root: r.root,
    supplier: r.supplier,
    count: Number(r.count),
    expiresAt: Number(r.expiresAt),
    restricted: r.restricted,
    holder: r.holder,
    segmentStart: Number(r.segmentStart),
    segmentEnd: Number(r.segmentEnd),
    frozenReason: REVOCATION_REASONS[r.frozenReason] ?? "other",
    redeemed: r.redeemed,
  };
}
