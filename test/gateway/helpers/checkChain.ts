import type { Address, Hex, PublicClient } from "viem";
import { checkGatewayOrders, type GatewayOrdersCheck } from "../../../scripts/demo/checkGatewayOrders.js";

/** An accepted order as the client saw it (answer of POST /v1/orders). */
export type AcceptedOrder = {
  orderReference: string;
  kind: "sale" | "transfer";
  batchId: Hex;
  indices: number[];
  to: Address | null;
  keys: { index: number; receiptSecret: Hex }[];
};

/** What the chain says about the seller's orders (see {@link GatewayOrdersCheck}). */
export type ChainCheck = GatewayOrdersCheck;

/**
 * Reads every KeysSold by `seller` and every CustodyTransferred from it, and checks each accepted
 * order's keys appear exactly once: sales with the order-reference hash derived from the order's
 * reference and the key's receipt secret, transfers to the order's recipient (the demo's
 * {@link checkGatewayOrders} over the whole chain, one seller).
 *
 * @param publicClient - a client of the chain.
 * @param ledger - the v2 ledger.
 * @param seller - the gateway's signer.
 * @param orders - the accepted orders.
 * @returns the counts (see {@link ChainCheck}).
 * @example
 * const check = await checkChain(publicClient, ledger, supplier.address, accepted);
 */
export async function checkChain(
  publicClient: PublicClient,
  ledger: Address,
  seller: Address,
  orders: readonly AcceptedOrder[],
): Promise<ChainCheck> {
  return checkGatewayOrders(publicClient, ledger, 0n, [seller], orders);
}
