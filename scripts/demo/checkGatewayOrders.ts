import type { Address, Hex, PublicClient } from "viem";
import type { OrderAnswer, SoldKey } from "../../gateway/types.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";

/** What the chain says about the accepted orders. */
export type GatewayOrdersCheck = {
  /** Keys recorded more than once. */
  duplicates: string[];
  /** Keys of accepted orders not recorded (or recorded for another order / recipient). */
  missing: string[];
  /** Keys recorded that no accepted order owns. */
  strays: string[];
  recorded: number;
  transactions: number;
};

/** What the check needs of an accepted order (its answer, or the client's copy of it). */
export type CheckedOrder = Pick<OrderAnswer, "orderReference" | "kind" | "batchId" | "indices" | "to"> & {
  keys: readonly Pick<SoldKey, "index" | "receiptSecret">[];
};

/**
 * Reads every KeysSold by `seller` and CustodyTransferred from it since `fromBlock`, and checks each
 * accepted order's keys appear exactly once: sales with the order-reference hash derived from the
 * order's reference and the key's receipt secret, transfers to the order's recipient. Anything
 * else the sellers recorded since `fromBlock` is a stray.
 *
 * @param client - a client of the chain.
 * @param ledger - the v2 ledger.
 * @param fromBlock - the first block of the run.
 * @param sellers - the gateways' signers.
 * @param orders - the accepted orders (their answers).
 * @returns duplicates, missing and stray keys, keys recorded, transactions.
 * @example
 * const check = await checkGatewayOrders(client, ledger, 120n, [retailer], answers);
 */
export async function checkGatewayOrders(
  client: PublicClient,
  ledger: Address,
  fromBlock: bigint,
  sellers: Address[],
  orders: readonly CheckedOrder[],
): Promise<GatewayOrdersCheck> {
  const base = { address: ledger, abi: keyLedgerV2Abi, fromBlock, strict: true } as const;
  const seen = new Map<string, string[]>();
  const txs = new Set<Hex>();
  for (const seller of sellers) {
    const [sold, moved] = await Promise.all([
      client.getContractEvents({ ...base, eventName: "KeysSold", args: { seller } }),
      client.getContractEvents({ ...base, eventName: "CustodyTransferred", args: { from: seller } }),
    ]);
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
  }
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
  return {
    duplicates: [...seen.entries()].filter(([, v]) => v.length > 1).map(([k]) => k),
    missing,
    strays: [...seen.keys()].filter((k) => !owned.has(k)),
    recorded: seen.size,
    transactions: txs.size,
  };
}
