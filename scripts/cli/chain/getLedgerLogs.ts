import type { AbiEvent, Address, Chain, Log, PublicClient, Transport } from "viem";

/** Parameters of {@link getLedgerLogs}. */
export type GetLedgerLogsParameters = {
  address: Address;
  events: readonly AbiEvent[];
  /** Indexed-argument filter applied to every event (e.g. `{ batchId }`). */
  args?: Record<string, unknown> | undefined;
  fromBlock: bigint;
  toBlock?: bigint | undefined;
  /** Largest block span per request; halves on a refused or oversized response. */
  maxSpan?: bigint | undefined;
};

/**
 * Fetches decoded ledger logs over a block range in chunks, halving the chunk when the RPC refuses
 * a range or the response is too large (public RPCs cap both).
 *
 * @param client - a public client.
 * @param parameters - see {@link GetLedgerLogsParameters}.
 * @returns the logs in chain order.
 * @example
 * const logs = await getLedgerLogs(client, { address, events: [batchAnchored], args: { batchId }, fromBlock: 0n });
 */
export async function getLedgerLogs(client: PublicClient<Transport, Chain>, parameters: GetLedgerLogsParameters): Promise<Log[]> {
  const to = parameters.toBlock ?? (await client.getBlockNumber());
  let span = parameters.maxSpan ?? 50_000n;
  const logs: Log[] = [];
  let from = parameters.fromBlock;
  while (from <= to) {
    const end = from + span - 1n < to ? from + span - 1n : to;
    try {
      const part = await client.getLogs({
        address: parameters.address,
        events: parameters.events,
        args: parameters.args,
        fromBlock: from,
        toBlock: end,
        strict: true,
      } as never);
      logs.push(...(part as Log[]));
      from = end + 1n;
    } catch (e) {
      if (span <= 1n) throw e;
      span = span / 2n;
    }
  }
  return logs;
}
