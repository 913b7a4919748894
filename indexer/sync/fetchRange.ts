import type { Hex } from "viem";
import { IndexerConfigError, IndexerInconsistentResponseError } from "../errors.js";
import type { BlockMeta, IndexedEvent } from "../apply/createLedgerMirror.js";
import { decodeLedgerLog } from "../../lib/events/decodeLedgerLog.js";
import { decodeLedgerLog as decodeLedgerLogV1 } from "../../lib/events/v1/decodeLedgerLog.js";
import type { RpcLog } from "../../lib/events/types.js";
import type { RpcClient } from "../chain/createRpcClient.js";

/** What {@link fetchRange} found: the range's events and blocks, or a sign that the chain changed under the cursor. */
export type FetchRangeResult =
  | {
      type: "ok";
      from: number;
      to: number;
      parentHash: Hex;
      toBlock: BlockMeta;
      blocks: BlockMeta[];
      events: IndexedEvent[];
      logs: number;
      ms: number;
    }
  | { type: "reorg"; from: number; reason: string };

type RpcBlock = { number: Hex; hash: Hex; parentHash: Hex; timestamp: Hex } | null;

const HEADERS_PER_BATCH = 100;

function toMeta(b: NonNullable<RpcBlock>): BlockMeta {
  return {
    number: Number.parseInt(b.number, 16),
    hash: b.hash.toLowerCase() as Hex,
    parentHash: b.parentHash.toLowerCase() as Hex,
    timestamp: Number.parseInt(b.timestamp, 16),
  };
}

/**
 * Fetches the ledger's logs of blocks [from, to] and the headers they need, and checks the
 * answers before use: block `from` must link to the cursor by parent hash (otherwise the chain
 * was reorganised: `{ type: "reorg" }`); logs must come from the ledger, lie in the range, be
 * sorted by (block, logIndex) without duplicates, not be `removed`, and carry the same block hash
 * as the header of their block. Throws {@link IndexerInconsistentResponseError} (retryable) when not.
 *
 * @param rpc - the RPC client.
 * @param parameters.ledger - the ledger address, lower-case.
 * @param parameters.from - first block.
 * @param parameters.to - last block.
 * @param parameters.parentHash - hash of block from-1 as the store has it.
 * @returns the events in chain order with block times, the headers, and the `to` block.
 * @example
 * const r = await fetchRange(rpc, { ledger, from: 101, to: 200, parentHash: cursor.hash });
 */
export async function fetchRange(
  rpc: RpcClient,
  parameters: { ledger: Hex; from: number; to: number; parentHash: Hex },
): Promise<FetchRangeResult> {
  const t0 = performance.now();
  const { ledger, from, to } = parameters;
  const hex = (n: number) => `0x${n.toString(16)}`;
  const [logs, edges] = await Promise.all([
    rpc.request<RpcLog[]>("eth_getLogs", [{ address: ledger, fromBlock: hex(from), toBlock: hex(to) }]),
    rpc.batch<RpcBlock>(
      (from === to ? [from] : [from, to]).map((n) => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })),
    ),
  ]);
  const first = edges[0];
  const last = edges[edges.length - 1];
  if (!first || !last) return { type: "reorg", from, reason: `block ${from} or ${to} is no longer on the chain` };
  const fromMeta = toMeta(first);
  const toMeta_ = toMeta(last);
  if (fromMeta.number !== from || toMeta_.number !== to) {
    throw new IndexerInconsistentResponseError(
      `eth_getBlockByNumber answered blocks ${fromMeta.number}/${toMeta_.number} for ${from}/${to}.`,
    );
  }
  if (fromMeta.parentHash !== parameters.parentHash.toLowerCase()) {
    return {
      type: "reorg",
      from,
      reason: `block ${from}'s parent is ${fromMeta.parentHash}, the store has ${parameters.parentHash}`,
    };
  }
  if (!Array.isArray(logs))
    throw new IndexerInconsistentResponseError(
      `eth_getLogs [${from}, ${to}] answered a ${typeof logs}, expected an array.`,
    );

  // Check order, range, origin; collect the blocks whose headers we need.
  const headers = new Map<number, BlockMeta>([
    [from, fromMeta],
    [to, toMeta_],
  ]);
  const logBlockHash = new Map<number, string>();
  let prevBlock = -1;
  let prevIndex = -1;
  const parsed: { log: RpcLog; block: number; logIndex: number }[] = [];
  for (const log of logs) {
    const block = Number.parseInt(log.blockNumber, 16);
    const logIndex = Number.parseInt(log.logIndex, 16);
    const where = `eth_getLogs [${from}, ${to}]: log ${log.transactionHash}#${logIndex} of block ${block}`;
    if (log.removed) throw new IndexerInconsistentResponseError(`${where} is marked removed.`);
    if (log.address.toLowerCase() !== ledger)
      throw new IndexerInconsistentResponseError(`${where} comes from ${log.address}, expected ${ledger}.`);
    if (!(block >= from && block <= to)) throw new IndexerInconsistentResponseError(`${where} lies outside the range.`);
    if (block < prevBlock || (block === prevBlock && logIndex <= prevIndex)) {
      throw new IndexerInconsistentResponseError(
        `${where} is out of order (after block ${prevBlock} log ${prevIndex}).`,
      );
    }
    const h = log.blockHash.toLowerCase();
    const seen = logBlockHash.get(block);
    if (seen !== undefined && seen !== h)
      throw new IndexerInconsistentResponseError(`${where} has block hash ${h}, another log of the block has ${seen}.`);
    logBlockHash.set(block, h);
    prevBlock = block;
    prevIndex = logIndex;
    parsed.push({ log, block, logIndex });
  }
  const missing = [...logBlockHash.keys()].filter((n) => !headers.has(n));
  for (let i = 0; i < missing.length; i += HEADERS_PER_BATCH) {
    const part = missing.slice(i, i + HEADERS_PER_BATCH);
    const got = await rpc.batch<RpcBlock>(
      part.map((n) => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })),
    );
    got.forEach((b, k) => {
      if (!b)
        throw new IndexerInconsistentResponseError(
          `block ${part[k]} (it has ledger logs) is not on the chain any more.`,
        );
      const m = toMeta(b);
      if (m.number !== part[k])
        throw new IndexerInconsistentResponseError(`eth_getBlockByNumber answered block ${m.number} for ${part[k]}.`);
      headers.set(m.number, m);
    });
  }
  for (const [n, h] of logBlockHash) {
    const header = headers.get(n)!;
    if (header.hash !== h)
      throw new IndexerInconsistentResponseError(
        `eth_getLogs gave block ${n} hash ${h}, its header says ${header.hash} (the chain moved while reading).`,
      );
  }
  const events: IndexedEvent[] = [];
  for (const p of parsed) {
    const decoded = decodeLedgerLog(p.log);
    if (!decoded) {
      // A KeyLedger v1 event (its signature changed in v2): refuse the ledger rather than skip its history.
      const v1 = decodeLedgerLogV1(p.log);
      if (v1)
        throw new IndexerConfigError(
          `Ledger ${parameters.ledger} emitted a KeyLedger version 1 event (${v1.eventName}, block ${p.block}): this indexer follows KeyLedger version 2.`,
          {
            details:
              "A version 1 ledger keeps verifying from the chain (keytrail verify, the portal) and is audited by keytrail audit, which replays both versions; index it with the previous release of the indexer (docs/INDEXER.md).",
          },
        );
      continue;
    }
    events.push({
      decoded,
      block: p.block,
      logIndex: p.logIndex,
      tx: p.log.transactionHash.toLowerCase() as Hex,
      timestamp: headers.get(p.block)!.timestamp,
    });
  }
  const blocks = [...headers.values()].sort((a, b) => a.number - b.number);
  return {
    type: "ok",
    from,
    to,
    parentHash: parameters.parentHash.toLowerCase() as Hex,
    toBlock: toMeta_,
    blocks,
    events,
    logs: logs.length,
    ms: performance.now() - t0,
  };
}
