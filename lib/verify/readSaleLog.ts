import { getAbiItem, hexToString } from "viem";
import type { Address, BlockNumber, BlockTag, Hex, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../abi/keyLedgerV2Abi.js";
import { SaleLogError } from "./errors.js";
import type { SaleRecord } from "./types.js";

/** Parameters of {@link readSaleLog}. */
export type ReadSaleLogParameters = {
  ledger: Address;
  batchId: Hex;
  saleNo: number;
  /** First block to search (the ledger's deployment block when known); default the earliest. */
  fromBlock?: BlockNumber | BlockTag | undefined;
};

const keysSold = getAbiItem({ abi: keyLedgerV2Abi, name: "KeysSold" });

/**
 * Reads the `KeysSold` log of sale `saleNo` of a batch on a v2 ledger, with one `eth_getLogs`
 * filtered on both indexed topics (batch id and sale number; the seller topic is left open, since
 * the seller may have been re-keyed since). Each (batch, saleNo) is logged exactly once.
 *
 * The log is evidence, not proof: a verifier confirms the key's item against the ledger's stored
 * sale root with `verifyReceipt` (`readReceiptValid`) before believing it.
 *
 * @param client A viem public client on the ledger's chain.
 * @param parameters Ledger, batch id, sale number, and optionally the first block to search.
 * @returns The sale as logged, with the transaction hash.
 * @throws {SaleLogError} when there is no such log (or more than one); viem's errors when the RPC fails.
 *
 * @example
 * const sale = await readSaleLog(client, { ledger, batchId, saleNo: status.saleNo });
 * const position = sale.indices.indexOf(7);
 */
export async function readSaleLog(client: PublicClient, parameters: ReadSaleLogParameters): Promise<SaleRecord> {
  const { ledger, batchId, saleNo } = parameters;
  if (!Number.isSafeInteger(saleNo) || saleNo < 1 || saleNo > 0xffffffff)
    throw new SaleLogError(`Invalid sale number ${saleNo} of batch ${batchId}: expected 1 to 2^32 - 1.`);
  const logs = await client.getLogs({
    address: ledger,
    event: keysSold,
    args: { batchId, saleNo },
    fromBlock: parameters.fromBlock ?? "earliest",
    toBlock: "latest",
    strict: true,
  });
  if (logs.length !== 1)
    throw new SaleLogError(
      `Sale ${saleNo} of batch ${batchId} on ledger ${ledger}: ${logs.length} KeysSold logs found, expected exactly 1.`,
    );
  const log = logs[0]!;
  if (log.transactionHash === null || log.blockNumber === null)
    throw new SaleLogError(`Sale ${saleNo} of batch ${batchId}: the KeysSold log is still pending.`);
  const a = log.args;
  const currency = /^0x(?:[2-7][0-9a-f]){3}$/i.test(a.context.currency)
    ? hexToString(a.context.currency)
    : a.context.currency;
  return {
    batchId: a.batchId,
    saleNo: a.saleNo,
    seller: a.seller,
    root: a.root,
    soldAt: Number(a.soldAt),
    store: a.context.store,
    terminal: a.context.terminal,
    amount: a.context.amount.toString(),
    currency,
    indices: a.indices.map(Number),
    commitments: [...a.commitments],
    orderRefs: [...a.orderRefs],
    tx: log.transactionHash,
    blockNumber: Number(log.blockNumber),
  };
}
