import type { Hex } from "viem";

/** The sale context of a sell call (SaleContext): store, terminal, amount and currency. */
export type SaleContextFields = { store: Hex; terminal: Hex; amount: bigint; currency: Hex };

/** One sale order: sell keys [start, end) of a batch under one order reference. */
export type SaleRow = {
  /** Line of the orders file (1 for a command-line order). */
  line: number;
  batchId: Hex;
  /** The batch folder, when the batch was named by its folder (links are built from its urls.csv). */
  batchDir: string | undefined;
  start: bigint;
  end: bigint;
  /** The order reference text (hashed per key with the key's receipt secret). */
  orderReference: string;
  context: SaleContextFields;
};

/** One key of a sale as the journal keeps it (the receipt secret included: the journal is secret material). */
export type SaleItemRecord = {
  batchId: Hex;
  /** Decimal string (JSON has no bigint). */
  index: string;
  secret: Hex;
  orderReference: string;
  commitment: Hex;
  orderRef: Hex;
};
