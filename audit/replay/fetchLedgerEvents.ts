import type { Address, Log, PublicClient } from "viem";
import type { LedgerEvent } from "../../lib/state/types.js";
import { AuditDecodeError, AuditOptionError, AuditRpcError } from "../errors.js";
import { createLedgerLogDecoder } from "../../lib/events/createLedgerLogDecoder.js";
import { getLogsInChunks } from "../../lib/events/getLogsInChunks.js";

/** Parameters of {@link fetchLedgerEvents}. */
export type FetchLedgerEventsParameters = {
  ledger: Address;
  fromBlock: bigint;
  toBlock: bigint;
  /** Initial block span per eth_getLogs (default 5,000); halved on "too large" answers, grown again after successes. */
  chunkSize?: bigint;
  /** Retries of a failing chunk at the smallest span (default 5). */
  retries?: number;
  /** Called after each chunk. */
  onProgress?: (p: { toBlock: bigint; fetched: number }) => void;
  /** Waits between retries (default: exponential, 250 ms doubling). Tests pass a no-op. */
  delay?: (attempt: number) => Promise<void>;
};

/** What {@link fetchLedgerEvents} returns. */
export type FetchLedgerEventsReturnType = {
  events: LedgerEvent[];
  rpcCalls: number;
  chunks: number;
  /** The ledger version its logs show (version 1 logs are mapped into version 2 shapes); null without logs. */
  ledgerVersion: 1 | 2 | null;
};

const tooLarge = (e: unknown) =>
  /too large|more than|limit|exceed|range|ResponseBodyTooLarge|timeout|timed out/i.test(
    String((e as Error)?.message ?? e),
  ) || (e as { name?: string })?.name === "ResponseBodyTooLargeError";

/**
 * Reads every log of the ledger in [fromBlock, toBlock] with eth_getLogs in adaptive block chunks,
 * decodes each with the KeyLedger v2 ABI (a version 1 ledger's logs are mapped into the version 2
 * shapes: lib/events `createLedgerLogDecoder`) and attaches its block timestamp (one eth_getBlockByNumber
 * per block that has logs). No database is involved: this is the audit's independent view of the
 * chain.
 *
 * @param client A viem public client.
 * @param parameters Ledger address, block range, chunking.
 * @returns Events sorted by (blockNumber, logIndex), and the number of RPC calls made.
 * @throws AuditRpcError when a chunk keeps failing; AuditDecodeError on a log the ABI cannot decode.
 * @example
 * const { events } = await fetchLedgerEvents(client, { ledger, fromBlock: 0n, toBlock: await client.getBlockNumber() });
 */
export async function fetchLedgerEvents(
  client: PublicClient,
  parameters: FetchLedgerEventsParameters,
): Promise<FetchLedgerEventsReturnType> {
  const { ledger, fromBlock, toBlock } = parameters;
  const maxSpan = parameters.chunkSize ?? 5_000n;
  const retries = parameters.retries ?? 5;
  const delay = parameters.delay ?? ((attempt: number) => new Promise<void>((r) => setTimeout(r, 250 * 2 ** attempt)));
  const maxBlocks = Number(maxSpan);
  if (!Number.isSafeInteger(maxBlocks) || maxBlocks < 1) {
    throw new AuditOptionError(`Chunk size ${maxSpan} is not a block count >= 1.`);
  }
  const read = await getLogsInChunks<Log>({
    fromBlock,
    toBlock,
    chunk: { initialBlocks: maxBlocks, maxBlocks },
    getLogs: (range) => client.getLogs({ address: ledger, ...range }),
    isRangeTooLarge: tooLarge,
    onError: async (e, { fromBlock: from, toBlock: to, attempt }) => {
      if (attempt > retries) {
        throw new AuditRpcError(`Reading logs of ledger ${ledger} in blocks ${from}..${to} failed ${attempt} times.`, {
          details: "Check the RPC URL, or lower the chunk size; the audit needs every log of the ledger.",
          cause: e,
          retryable: true,
        });
      }
      await delay(attempt - 1);
    },
    onChunk: (c) => parameters.onProgress?.({ toBlock: c.toBlock, fetched: c.fetched }),
  });
  const { logs, chunks } = read;
  let rpcCalls = read.requests;

  const blocks = new Map<bigint, bigint>();
  const needed = [...new Set(logs.filter((l) => !l.removed).map((l) => l.blockNumber!))];
  const concurrency = 8;
  for (let i = 0; i < needed.length; i += concurrency) {
    const slice = needed.slice(i, i + concurrency);
    const got = await Promise.all(
      slice.map(async (n) => {
        rpcCalls++;
        try {
          return await client.getBlock({ blockNumber: n });
        } catch (e) {
          throw new AuditRpcError(`Reading block ${n} failed.`, { cause: e, retryable: true });
        }
      }),
    );
    for (const b of got) blocks.set(b.number!, b.timestamp);
  }

  const events: LedgerEvent[] = [];
  const decoder = createLedgerLogDecoder();
  const ordered = logs
    .filter((l) => !l.removed)
    .sort((a, b) =>
      a.blockNumber === b.blockNumber ? a.logIndex! - b.logIndex! : a.blockNumber! < b.blockNumber! ? -1 : 1,
    );
  for (const l of ordered) {
    let decoded;
    try {
      decoded = decoder.decode({ data: l.data, topics: l.topics });
      if (!decoded) throw new Error(`unknown event topic ${l.topics[0] ?? "(none)"}`);
    } catch (e) {
      throw new AuditDecodeError(
        `Log ${l.logIndex} of transaction ${l.transactionHash} (block ${l.blockNumber}) of ledger ${ledger} does not decode with the KeyLedger ABI.`,
        { details: "Is the address a KeyLedger of this version?", cause: e },
      );
    }
    events.push({
      ...decoded,
      blockNumber: l.blockNumber!,
      blockHash: l.blockHash!,
      logIndex: l.logIndex!,
      txHash: l.transactionHash!,
      timestamp: blocks.get(l.blockNumber!)!,
    });
  }
  events.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
  return { events, rpcCalls, chunks, ledgerVersion: decoder.ledgerVersion };
}
