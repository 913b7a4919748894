import { decodeEventLog, encodeEventTopics, numberToHex } from "viem";
import type {
  Address,
  Chain,
  ContractEventArgs,
  ContractEventName,
  DecodeEventLogReturnType,
  Hex,
  PublicClient,
  Transport,
} from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { getLogsInChunks } from "../../../lib/events/getLogsInChunks.js";
import type { RpcLog } from "../../../lib/events/types.js";

/** An event of KeyLedger v2 (ledger and sale module). */
export type LedgerV2EventName = ContractEventName<typeof keyLedgerV2Abi>;

/** Parameters of {@link getLedgerV2Logs}. */
export type GetLedgerV2LogsParameters<name extends LedgerV2EventName> = {
  address: Address;
  /** The event to read. */
  event: name;
  /** Filters on the indexed arguments, e.g. `{ batchId, saleNo }`. */
  args?: ContractEventArgs<typeof keyLedgerV2Abi, name> | undefined;
  fromBlock: bigint;
  toBlock?: bigint | undefined;
  /** Largest block span per request; halves on a refused or oversized response. */
  maxSpan?: bigint | undefined;
};

/** A decoded v2 log of the asked event, with where it was emitted. */
export type LedgerV2LogOf<name extends LedgerV2EventName> = {
  eventName: name;
  args: DecodeEventLogReturnType<typeof keyLedgerV2Abi, name>["args"];
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
};

/**
 * Fetches and decodes one event of a KeyLedger v2 over a block range, in adaptive chunks (lib/events
 * `getLogsInChunks`, halving on a refused range), decoded with the v2 ABI (ledger and sale module).
 *
 * @param client - a public client.
 * @param parameters - see {@link GetLedgerV2LogsParameters}.
 * @returns the logs in chain order.
 * @example
 * const [sale] = await getLedgerV2Logs(client, { address, event: "KeysSold", args: { batchId, saleNo: 3 }, fromBlock });
 */
export async function getLedgerV2Logs<name extends LedgerV2EventName>(
  client: PublicClient<Transport, Chain>,
  parameters: GetLedgerV2LogsParameters<name>,
): Promise<LedgerV2LogOf<name>[]> {
  const topics = encodeEventTopics({
    abi: keyLedgerV2Abi,
    eventName: parameters.event,
    args: parameters.args,
  } as never);
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
    isRangeTooLarge: () => true,
  });
  const out: LedgerV2LogOf<name>[] = [];
  for (const log of logs) {
    if (log.removed) continue;
    let decoded: { eventName: string; args?: unknown };
    try {
      decoded = decodeEventLog({ abi: keyLedgerV2Abi, data: log.data as Hex, topics: log.topics as [Hex] });
    } catch {
      continue; // not an event of this ABI
    }
    if (decoded.eventName !== parameters.event) continue;
    out.push({
      eventName: parameters.event,
      args: decoded.args as LedgerV2LogOf<name>["args"],
      blockNumber: BigInt(log.blockNumber),
      logIndex: Number(log.logIndex),
      transactionHash: log.transactionHash,
    });
  }
  return out;
}
