import type { Address, Hex } from "viem";

/** What a client may do: place orders, read them, receive the card secrets of its orders' keys (stock). */
export type GatewayScope = "orders:write" | "orders:read" | "keys:deliver";

/** A validated order request (the body of POST /v1/orders). */
export type OrderRequest = {
  /** The platform's order reference: the idempotency key (per client). */
  orderReference: string;
  /** `sale` (to an end buyer, with a receipt per key) or `transfer` (custody to a downstream party). */
  kind: "sale" | "transfer";
  /** The batch the keys come from. */
  batchId: Hex;
  /** Number of keys. */
  quantity: number;
  /** The receiving party's account (transfers only). */
  to?: Address | undefined;
  /** The platform's buyer reference (sales only; kept off chain). */
  buyer?: string | undefined;
};

/** Status of an order. */
export type OrderStatus = "pending" | "confirmed" | "failed";

/** One key of a sale as the buyer's verify link needs it. */
export type SoldKey = { batchId: Hex; index: number; seller: Address; receiptSecret: Hex };

/** The answer about an order (POST and GET). */
export type OrderAnswer = {
  orderReference: string;
  kind: "sale" | "transfer";
  status: OrderStatus;
  batchId: Hex;
  quantity: number;
  indices: number[];
  seller: Address;
  to: Address | null;
  buyer: string | null;
  ledger: Address;
  chainId: number;
  /** Verify-link data of each key (sales only). */
  keys: SoldKey[];
  txHash: Hex | null;
  blockNumber: number | null;
  reason: string | null;
  /** When the gateway accepted the order (ms since the epoch). */
  acceptedAt: number;
  /** When it saw the order confirmed or failed (ms since the epoch), else null. */
  settledAt: number | null;
};
