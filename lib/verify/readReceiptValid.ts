import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../abi/keyLedgerV2Abi.js";

/** Parameters of {@link readReceiptValid}. */
export type ReadReceiptValidParameters = {
  ledger: Address;
  batchId: Hex;
  index: number | bigint;
  commitment: Hex;
  orderRef: Hex;
  proof: readonly Hex[];
};

/**
 * Asks a v2 ledger whether (commitment, orderRef) with its sale proof is THE receipt of the key's
 * live sale (`verifyReceipt`, one `eth_call`). At most one receipt per key is ever true: the chain's
 * stored sale root decides, whatever a log said.
 *
 * @param client A viem public client on the ledger's chain.
 * @param parameters Ledger, batch id, key index, the item's commitment and order-reference hash, and
 *   its proof in the sale (`saleProof` of the `KeysSold` items).
 * @returns Whether the ledger accepts the receipt.
 * @throws viem's errors when the RPC fails.
 *
 * @example
 * const ok = await readReceiptValid(client, { ledger, batchId, index: 7, commitment, orderRef, proof });
 */
export async function readReceiptValid(client: PublicClient, parameters: ReadReceiptValidParameters): Promise<boolean> {
  const { ledger, batchId, index, commitment, orderRef, proof } = parameters;
  return client.readContract({
    address: ledger,
    abi: keyLedgerV2Abi,
    functionName: "verifyReceipt",
    args: [batchId, BigInt(index), commitment, orderRef, [...proof]],
  });
}
