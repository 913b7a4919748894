import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../../lib/sale/computeOrderRefHash.js";

/** An accepted order as the client saw it (answer of POST /v1/orders). */
export type AcceptedOrder = {
  orderReference: string;
  kind: "sale" | "transfer";
  batchId: Hex;
  indices: number[];
  to: Address | null;
  keys: { index: number; receiptSecret: Hex }[];
};

/** What the chain says about the seller's orders. */
export type ChainCheck = {
  /** Keys (batch:index) sold or transferred by the seller more than once. */
  duplicates: string[];
  /** Accepted orders with a key not recorded (or recorded with another order reference / recipient). */
  missing: string[];
  /** Keys recorded on chain that no accepted order owns. */
  strays: string[];
  /** Keys recorded in total. */
  recorded: number;
  /** Transactions that carried them. */
  transactions: number;
};

/**
 * Reads every KeysSold by `seller` and every CustodyTransferred from it, and checks each accepted
 * order's keys appear exactly once: sales with the order-reference hash derived from the order's
 * reference and the key's receipt secret, transfers to the order's recipient.
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
  const base = { address: ledger, abi: keyLedgerV2Abi, fromBlock: 0n, strict: true } as const;
  const [sold, moved] = await Promise.all([
    publicClient.getContractEvents({ ...base, eventName: "KeysSold", args: { seller } }),
    publicClient.getContractEvents({ ...base, eventName: "CustodyTransferred", args: { from: seller } }),
  ]);
  const seen = new Map<string, string[]>(); // batch:index -> what recorded it
  const txs = new Set<Hex>();
  for (const l of sold) {
    txs.add(l.transactionHash);
    l.args.indices.forEach((i, k) => {
      const key = `${l.args.batchId}:${i}`;
      seen.set(key, [...(seen.get(key) ?? []), `sale ${l.args.orderRefs[k]}`]);
    });
  }
  for (const l of moved) {
    txs.add(l.transactionHash);
    for (let i = l.args.start; i < l.args.end; i++) {
      const key = `${l.args.batchId}:${i}`;
      seen.set(key, [...(seen.get(key) ?? []), `transfer ${l.args.to.toLowerCase()}`]);
    }
  }
  const duplicates = [...seen.entries()].filter(([, v]) => v.length > 1).map(([k]) => k);
  const owned = new Set<string>();
  const missing: string[] = [];
  for (const o of orders) {
    for (const index of o.indices) {
      const key = `${o.batchId.toLowerCase()}:${index}`;
      owned.add(key);
      const secret = o.keys.find((k) => k.index === index)?.receiptSecret;
      const want =
        o.kind === "sale"
          ? `sale ${secret ? computeOrderRefHash({ orderReference: o.orderReference, secret }) : "(no secret)"}`
          : `transfer ${o.to!.toLowerCase()}`;
      if (!(seen.get(key) ?? []).includes(want)) missing.push(`${o.orderReference} ${key}`);
    }
  }
  const strays = [...seen.keys()].filter((k) => !owned.has(k));
  return { duplicates, missing, strays, recorded: seen.size, transactions: txs.size };
}
