import type { Address, PublicClient } from "viem";
import { fetchLedgerEvents } from "../replay/fetchLedgerEvents.js";
import { exportEpcis, type EpcisDocument, type ExportEpcisParameters } from "./exportEpcis.js";

/**
 * Reads the ledger's logs from the chain (eth_getLogs in chunks) and exports them as an EPCIS 2.0
 * document with {@link exportEpcis}. For callers that hold no decoded events of their own (e.g.
 * `keytrail export --epcis FILE`).
 *
 * @param client A viem public client.
 * @param parameters Ledger, block range, and the options of `exportEpcis` (chainId defaults to the client's).
 * @returns The EPCIS document.
 * @example
 * const doc = await exportEpcisFromChain(client, { ledger, fromBlock: deployBlock, toBlock: cursor });
 */
export async function exportEpcisFromChain(
  client: PublicClient,
  parameters: Omit<ExportEpcisParameters, "chainId" | "ledger"> & {
    ledger: Address;
    fromBlock: bigint;
    toBlock: bigint;
    chainId?: number;
  },
): Promise<EpcisDocument> {
  const { events } = await fetchLedgerEvents(client, {
    ledger: parameters.ledger,
    fromBlock: parameters.fromBlock,
    toBlock: parameters.toBlock,
  });
  const chainId = parameters.chainId ?? (await client.getChainId());
  const block = await client.getBlock({ blockNumber: parameters.toBlock });
  return exportEpcis(events, { ...parameters, chainId, asOf: parameters.asOf ?? block.timestamp });
}
