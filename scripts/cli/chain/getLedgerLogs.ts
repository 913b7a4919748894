import { numberToHex, toEventSelector } from "viem";
import type { Address, Chain, Hex, PublicClient, Transport } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { decodeLedgerLog } from "../../../lib/events/v1/decodeLedgerLog.js";
import { getLogsInChunks } from "../../../lib/events/getLogsInChunks.js";
import type { DecodedLedgerLog, LedgerEventName, RpcLog } from "../../../lib/events/v1/types.js";

/** Parameters of {@link getLedgerLogs}. */
export type GetLedgerLogsParameters<name extends LedgerEventName> = {
  address: Address;
  /** Events to read (topic0 filter). */
  events: readonly name[];
  /** Filter on the first indexed argument (`batchId` for the batch events). */
  topic1?: Hex | undefined;
  fromBlock: bigint;
  toBlock?: bigint | undefined;
  /** Largest block span per request; halves on a refused or oversized response. */
  maxSpan?: bigint | undefined;
};

/** A decoded ledger log of one of the asked events, with where it was emitted. */
export type LedgerLogOf<name extends LedgerEventName> = Extract<DecodedLedgerLog, { eventName: name }> & {
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
};

/**
 * Fetches decoded ledger logs of some events over a block range in adaptive chunks (lib/events
 * `getLogsInChunks`), halving the chunk when the RPC refuses a range or the response is too large
 * (public RPCs cap both), and decodes them with the ledger's decoder (lib/events `decodeLedgerLog`).
 *
 * @param client - a public client.
 * @param parameters - see {@link GetLedgerLogsParameters}.
 * @returns the logs in chain order.
 * @throws the RPC's error when even a one-block range fails.
 * @example
 * const logs = await getLedgerLogs(client, { address, events: ["BatchAnchored"], topic1: batchId, fromBlock: 0n });
 */
export async function getLedgerLogs<name extends LedgerEventName>(
  client: PublicClient<Transport, Chain>,
  parameters: GetLedgerLogsParameters<name>,
): Promise<LedgerLogOf<name>[]> {
  const names: readonly LedgerEventName[] = parameters.events;
  const selectors = keyLedgerAbi.flatMap((item) =>
    item.type === "event" && names.includes(item.name) ? [toEventSelector(item)] : [],
  );
  const topics = parameters.topic1 === undefined ? [selectors] : [selectors, parameters.topic1];
  const toBlock = parameters.toBlock ?? (await client.getBlockNumber());
  const maxBlocks = Number(parameters.maxSpan ?? 50_000n);
  const { logs } = await getLogsInChunks<RpcLog>({
    fromBlock: parameters.fromBlock,
    toBlock,
    chunk: { initialBlocks: maxBlocks, maxBlocks },
    getLogs: (range) =>
      client.request({
        method: "eth_getLogs",
        params: [
          {
            address: parameters.address,
            topics,
            fromBlock: numberToHex(range.fromBlock),
            toBlock: numberToHex(range.toBlock),
          },
        ],
      }) as Promise<RpcLog[]>,
    // Public RPCs refuse big ranges in many ways: any failure shrinks the range, down to one block.
    isRangeTooLarge: () => true,
  });
  const isAsked = (d: DecodedLedgerLog | null): d is Extract<DecodedLedgerLog, { eventName: name }> =>
    d !== null && names.includes(d.eventName);
  const out: LedgerLogOf<name>[] = [];
  for (const log of logs) {
    if (log.removed) continue;
    const decoded = decodeLedgerLog(log);
    if (!isAsked(decoded)) continue;
    const blockNumber = BigInt(log.blockNumber);
    out.push({ ...decoded, blockNumber, logIndex: Number(log.logIndex), transactionHash: log.transactionHash });
  }
  return out;
}
