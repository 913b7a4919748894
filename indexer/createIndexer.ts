import type { Address, Hex } from "viem";
import { createBlockRangeSizer } from "../lib/events/createBlockRangeSizer.js";
import { createLedgerMirror } from "./apply/createLedgerMirror.js";
import type { BlockMeta } from "./apply/createLedgerMirror.js";
import { createRpcClient } from "./chain/createRpcClient.js";
import type { RetryPolicy, RpcRetryInfo } from "./chain/createRpcClient.js";
import {
  IndexerConfigError,
  IndexerInconsistentResponseError,
  IndexerRangeTooLargeError,
  IndexerReorgTooDeepError,
  IndexerStoreMismatchError,
} from "./errors.js";
import { readCursor } from "./store/readCursor.js";
import type { Cursor } from "./store/readCursor.js";
import { readMeta } from "./store/readMeta.js";
import { rollbackStore } from "./store/rollbackStore.js";
import type { Store, StoreInfo } from "./store/types.js";
import { writeMeta } from "./store/writeMeta.js";
import { deferQueryIndexes } from "./store/deferQueryIndexes.js";
import { ensureQueryIndexes } from "./store/ensureQueryIndexes.js";
import { fetchRange } from "./sync/fetchRange.js";
import { subscribeNewHeads, type NewHeadsSubscription } from "./chain/subscribeNewHeads.js";
import type { FetchRangeResult } from "./sync/fetchRange.js";

/** Configuration of {@link createIndexer}. */
export type IndexerConfig = {
  /** The database (see `openStore`). */
  store: Store;
  /** One or more HTTP RPC URLs; later ones are fallbacks. */
  rpcUrls: readonly string[];
  /** The KeyLedger contract. */
  ledger: Address;
  /** The ledger's deployment block: indexing starts there. */
  startBlock: number;
  /** Expected chain id (checked against eth_chainId when given). */
  chainId?: number | undefined;
  /** Blocks at this depth below the cursor are final: a reorg reaching them stops the indexer (default 64). */
  finalityDepth?: number | undefined;
  /** Head polling interval when following (default 1,000 ms). */
  pollIntervalMs?: number | undefined;
  /**
   * New-head notifications while following: a `ws://`/`wss://` URL, `"auto"` (the first RPC URL
   * with `ws` for `http`: used when the node offers it, else polling alone; the default) or `"off"`.
   * Notifications only wake the loop early; blocks and logs are always read over HTTP.
   */
  wsUrl?: string | undefined;
  /** Adaptive eth_getLogs block ranges. */
  chunk?: { initialBlocks?: number; maxBlocks?: number; targetLogs?: number } | undefined;
  /** RPC retry policy. */
  retry?: RetryPolicy | undefined;
  /**
   * A first backfill of at least this many blocks drops the read-side indexes and builds them at
   * the head (default 100; 0 = never defer).
   */
  deferIndexesMinBlocks?: number | undefined;
  /** Receives every {@link IndexerEvent}. */
  onEvent?: ((event: IndexerEvent) => void) | undefined;
};

/** What the indexer reports while it runs (tagged union on `type`). */
export type IndexerEvent =
  | { type: "start"; store: StoreInfo; chainId: number; cursor: number; head: number }
  | {
      type: "range";
      from: number;
      to: number;
      events: number;
      ms: number;
      fetchMs: number;
      commitMs: number;
      chunkBlocks: number;
    }
  | { type: "chunk"; blocks: number; reason: "too-large" | "cheap" | "busy" }
  | { type: "reorg"; oldCursor: number; ancestor: number; depth: number; reason: string }
  | { type: "retry"; info: RpcRetryInfo }
  | { type: "inconsistent"; message: string; attempt: number }
  | { type: "caught-up"; block: number }
  | { type: "heads"; source: "websocket" | "polling"; url?: string; reason?: string }
  | { type: "indexes"; action: "deferred" | "built"; ms: number };

/** The indexer's state (tagged union on `type`). */
export type IndexerState =
  | { type: "idle" }
  | { type: "syncing"; cursor: number; head: number }
  | { type: "following"; cursor: number }
  | { type: "stopped"; cursor: number }
  | { type: "failed"; error: Error };

/** A running indexer. */
export type Indexer = {
  /**
   * Indexes from the cursor to the head (or `untilBlock`), then returns; with `follow`, keeps
   * polling the head until {@link Indexer.stop}. Resolves with the final cursor.
   */
  run(options?: { follow?: boolean; untilBlock?: number }): Promise<Cursor>;
  /** Asks a running `run` to finish after the current step. */
  stop(): void;
  readonly state: IndexerState;
};

const ZERO_HASH = `0x${"0".repeat(64)}` as Hex;
const MAX_INCONSISTENT = 6;
/** Events indexed between two VACUUM ANALYZE runs at the head. */
const VACUUM_EVERY_EVENTS = 50_000;

/**
 * Creates an indexer over one ledger: backfills with eth_getLogs in adaptive block ranges
 * (halved when an answer is too large, doubled while cheap), follows the head by polling,
 * retries RPC faults with back-off over several URLs, detects reorganisations by parent hash
 * and rolls the store back to the common ancestor, and commits each range's effects together
 * with the cursor in one transaction (kill -9 at any point, restart, same state).
 *
 * @param config - see {@link IndexerConfig}.
 * @returns an {@link Indexer}.
 * @example
 * const store = await openStore({ databaseUrl: process.env.DATABASE_URL });
 * const indexer = createIndexer({ store, rpcUrls: ["http://127.0.0.1:8545"], ledger, startBlock: 1 });
 * await indexer.run(); // to the head
 */
export function createIndexer(config: IndexerConfig): Indexer {
  if (!/^0x[0-9a-fA-F]{40}$/.test(config.ledger)) {
    throw new IndexerConfigError(`Ledger address "${config.ledger}" is not an address.`, {
      details: "Expected 0x followed by 40 hex digits.",
    });
  }
  if (!Number.isSafeInteger(config.startBlock) || config.startBlock < 0) {
    throw new IndexerConfigError(`Start block ${config.startBlock} is not a block number.`, {
      details: "Expected an integer >= 0 (the ledger's deployment block).",
    });
  }
  const finalityDepth = config.finalityDepth ?? 64;
  if (!Number.isSafeInteger(finalityDepth) || finalityDepth < 1) {
    throw new IndexerConfigError(`Finality depth ${finalityDepth} is out of range.`, {
      details: "Expected an integer >= 1.",
    });
  }
  const ledger = config.ledger.toLowerCase() as Hex;
  const store = config.store;
  const emit = (e: IndexerEvent) => config.onEvent?.(e);
  const abort = new AbortController();
  const rpc = createRpcClient({
    urls: config.rpcUrls,
    retry: config.retry,
    signal: abort.signal,
    onRetry: (info) => emit({ type: "retry", info }),
  });
  const mirror = createLedgerMirror();
  // The block-range policy shared with the audit and the CLI (lib/events).
  const sizer = createBlockRangeSizer({
    initialBlocks: config.chunk?.initialBlocks ?? 100,
    maxBlocks: config.chunk?.maxBlocks ?? 50_000,
    targetLogs: config.chunk?.targetLogs ?? 4_000,
  });
  let state: IndexerState = { type: "idle" };
  let stopping = false;
  let wake: (() => void) | null = null;

  const hex = (n: number) => `0x${n.toString(16)}`;

  async function getBlock(n: number): Promise<BlockMeta | null> {
    if (n < 0) return { number: -1, hash: ZERO_HASH, parentHash: ZERO_HASH, timestamp: 0 };
    const b = await rpc.request<{ number: Hex; hash: Hex; parentHash: Hex; timestamp: Hex } | null>(
      "eth_getBlockByNumber",
      [hex(n), false],
    );
    return b
      ? {
          number: Number.parseInt(b.number, 16),
          hash: b.hash.toLowerCase() as Hex,
          parentHash: b.parentHash.toLowerCase() as Hex,
          timestamp: Number.parseInt(b.timestamp, 16),
        }
      : null;
  }

  async function init(): Promise<{ cursor: Cursor; chainId: number }> {
    const chainId = Number.parseInt(await rpc.request<Hex>("eth_chainId", []), 16);
    if (config.chainId !== undefined && config.chainId !== chainId) {
      throw new IndexerConfigError(`The RPC serves chain ${chainId}, expected chain ${config.chainId}.`, {
        details: `RPC URLs: ${config.rpcUrls.join(", ")}`,
      });
    }
    const meta = await readMeta(store);
    if (meta && (meta.chainId !== chainId || meta.ledger !== ledger || meta.startBlock !== config.startBlock)) {
      throw new IndexerStoreMismatchError(
        `The store indexes ledger ${meta.ledger} on chain ${meta.chainId} from block ${meta.startBlock}; asked for ${ledger} on chain ${chainId} from block ${config.startBlock}.`,
        { details: "Use another database (--db or DATABASE_URL), or delete this one to start over." },
      );
    }
    const existing = await readCursor(store);
    if (existing) return { cursor: existing, chainId };
    const before = await getBlock(config.startBlock - 1);
    if (!before)
      throw new IndexerConfigError(`Start block ${config.startBlock} is beyond the chain head.`, {
        details: "Expected the ledger's deployment block.",
      });
    await store.transaction(async (tx) => {
      await writeMeta(tx, { chainId, ledger, startBlock: config.startBlock });
      await mirror.flush(tx, { blocks: [], cursor: before });
    });
    return { cursor: { number: before.number, hash: before.hash, timestamp: before.timestamp }, chainId };
  }

  /** Walks the stored blocks down until one is still canonical; rolls back to it. */
  async function handleReorg(cursor: Cursor, reason: string): Promise<Cursor> {
    const rows = await store.query<{ number: number; hash: Hex; timestamp: number }>(
      "SELECT number, hash, timestamp FROM kt_blocks WHERE number <= $1 ORDER BY number DESC",
      [cursor.number],
    );
    let ancestor: { number: number; hash: Hex; timestamp: number } | null = null;
    for (let i = 0; i < rows.length && !ancestor; i += 50) {
      const part = rows.slice(i, i + 50);
      const canon = await rpc.batch<{ hash: Hex } | null>(
        part.map((r) =>
          r.number < 0
            ? { method: "eth_chainId", params: [] }
            : { method: "eth_getBlockByNumber", params: [hex(r.number), false] },
        ),
      );
      for (let k = 0; k < part.length; k++) {
        const r = part[k]!;
        const c = canon[k];
        if (r.number < 0 || (c && c.hash.toLowerCase() === r.hash)) {
          ancestor = r;
          break;
        }
        if (cursor.number - r.number >= finalityDepth) {
          throw new IndexerReorgTooDeepError(
            `Reorganisation deeper than the finality depth (${finalityDepth}): block ${r.number} (${cursor.number - r.number} below the cursor ${cursor.number}) changed from ${r.hash} to ${c?.hash ?? "(missing)"}.`,
            {
              details:
                "The store still holds the old chain. Check the RPC (is it the same chain?), raise --finality if this chain reorganises that deep, or re-index into a fresh database.",
            },
          );
        }
      }
    }
    if (!ancestor) {
      throw new IndexerStoreMismatchError(
        `No block the store knows is on the RPC's chain any more (cursor ${cursor.number}).`,
        {
          details:
            "The RPC serves another chain than the one indexed (a restarted dev node?). Re-index into a fresh database.",
        },
      );
    }
    const a = ancestor;
    await store.transaction((tx) => rollbackStore(tx, { ancestor: a }));
    mirror.reset();
    emit({ type: "reorg", oldCursor: cursor.number, ancestor: a.number, depth: cursor.number - a.number, reason });
    return { number: a.number, hash: a.hash, timestamp: a.timestamp };
  }

  async function fetchChecked(from: number, to: number, parentHash: Hex): Promise<FetchRangeResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetchRange(rpc, { ledger, from, to, parentHash });
      } catch (e) {
        if (!(e instanceof IndexerInconsistentResponseError) || attempt >= MAX_INCONSISTENT || stopping) throw e;
        emit({ type: "inconsistent", message: e.shortMessage, attempt });
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async function commit(r: Extract<FetchRangeResult, { type: "ok" }>): Promise<Cursor> {
    try {
      await mirror.prepare(store, r.events);
      mirror.apply(r.events);
      await store.transaction(async (tx) => {
        // Optimistic check: the store's cursor must still be this range's parent (one writer per store).
        const c = await tx.query<{ block_number: number; block_hash: string }>(
          "SELECT block_number, block_hash FROM kt_cursor WHERE id = 1 FOR UPDATE",
        );
        if (c[0]?.block_number !== r.from - 1 || c[0]?.block_hash !== r.parentHash) {
          throw new IndexerStoreMismatchError(
            `The store's cursor moved to block ${c[0]?.block_number ?? "(none)"} while this indexer was at ${r.from - 1}: another indexer writes to this store.`,
            {
              details:
                "Run one indexer per database (`keytrail serve --index` or one `keytrail index --follow`); API replicas only read.",
            },
          );
        }
        await mirror.flush(tx, {
          blocks: r.blocks.filter((b) => b.number === r.to || r.events.length > 0),
          cursor: r.toBlock,
        });
      });
    } catch (e) {
      mirror.reset();
      throw e;
    }
    return { number: r.toBlock.number, hash: r.toBlock.hash, timestamp: r.toBlock.timestamp };
  }

  function adapt(r: Extract<FetchRangeResult, { type: "ok" }>): void {
    // A short range at the head says nothing; busy ranges halve the span, cheap ones double it.
    const change = sizer.fetched(r.to - r.from + 1, r.logs);
    if (change) emit({ type: "chunk", ...change });
  }

  // New-head notifications (WebSocket) while following; polling stays on as the fallback.
  let heads: NewHeadsSubscription | null = null;
  let headsTriedAt = -Infinity;
  const headsUrl = (() => {
    const w = config.wsUrl ?? "auto";
    if (w === "off") return null;
    if (w !== "auto") return w;
    const first = config.rpcUrls[0];
    return first && /^https?:\/\//.test(first) ? first.replace(/^http/, "ws") : null;
  })();
  async function ensureHeadsSubscription(): Promise<void> {
    if (!headsUrl || heads?.alive() || performance.now() - headsTriedAt < 30_000) return;
    headsTriedAt = performance.now();
    const sub = subscribeNewHeads(headsUrl, {
      onHead: () => wake?.(),
      onClose: (reason) => {
        if (heads === sub && !stopping) emit({ type: "heads", source: "polling", url: headsUrl, reason });
      },
    });
    heads = sub;
    try {
      await sub.ready;
      emit({ type: "heads", source: "websocket", url: headsUrl });
    } catch (e) {
      emit({ type: "heads", source: "polling", url: headsUrl, reason: (e as Error).message });
    }
  }

  async function run(options: { follow?: boolean; untilBlock?: number } = {}): Promise<Cursor> {
    stopping = false;
    try {
      const started = await init();
      let cursor = started.cursor;
      const headOf = async () => {
        const h = Number.parseInt(await rpc.request<Hex>("eth_blockNumber", []), 16);
        return options.untilBlock !== undefined ? Math.min(h, options.untilBlock) : h;
      };
      let head = await headOf();
      emit({ type: "start", store: store.info, chainId: started.chainId, cursor: cursor.number, head });
      const flag = await store.query<{ value: string }>("SELECT value FROM kt_meta WHERE key = 'queryIndexes'");
      let indexesDeferred = flag[0]?.value === "deferred";
      const deferMin = config.deferIndexesMinBlocks ?? 100;
      let eventsSinceVacuum = 0;
      if (
        !indexesDeferred &&
        deferMin > 0 &&
        cursor.number === config.startBlock - 1 &&
        head - cursor.number >= deferMin
      ) {
        const t = performance.now();
        await store.transaction((tx) => deferQueryIndexes(tx));
        indexesDeferred = true;
        emit({ type: "indexes", action: "deferred", ms: performance.now() - t });
      }
      type Prefetch = { from: number; to: number; parent: Hex; promise: Promise<FetchRangeResult> };
      let prefetch = null as Prefetch | null;
      const discard = () => {
        prefetch?.promise.catch(() => undefined);
        prefetch = null;
      };
      while (!stopping) {
        if (cursor.number >= head) {
          discard();
          // At the head: make sure the tip we hold is still canonical.
          const tip = await getBlock(cursor.number);
          if (!tip || tip.hash !== cursor.hash) {
            cursor = await handleReorg(cursor, `block ${cursor.number} is now ${tip?.hash ?? "missing"}`);
            continue;
          }
          if (indexesDeferred) {
            const t = performance.now();
            await store.transaction((tx) => ensureQueryIndexes(tx));
            indexesDeferred = false;
            emit({ type: "indexes", action: "built", ms: performance.now() - t });
            eventsSinceVacuum = VACUUM_EVERY_EVENTS;
          }
          if (eventsSinceVacuum >= VACUUM_EVERY_EVENTS) {
            // PGlite runs no autovacuum: keep the visibility map (index-only scans) and statistics fresh.
            await store.exec("VACUUM ANALYZE kt_segments, kt_transfers, kt_redemption_words");
            eventsSinceVacuum = 0;
          }
          emit({ type: "caught-up", block: cursor.number });
          if (!options.follow) break;
          state = { type: "following", cursor: cursor.number };
          await ensureHeadsSubscription();
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, config.pollIntervalMs ?? 1000);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = null;
          head = await headOf();
          continue;
        }
        state = { type: "syncing", cursor: cursor.number, head };
        const from = cursor.number + 1;
        const to = Math.min(from + sizer.blocks - 1, head);
        let result: FetchRangeResult;
        try {
          const p = prefetch as Prefetch | null;
          result =
            p && p.from === from && p.to === to && p.parent === cursor.hash
              ? await p.promise
              : await fetchChecked(from, to, cursor.hash);
          prefetch = null;
        } catch (e) {
          prefetch = null;
          const change = e instanceof IndexerRangeTooLargeError ? sizer.tooLarge(to - from + 1) : null;
          if (change) {
            emit({ type: "chunk", ...change });
            continue;
          }
          throw e;
        }
        if (result.type === "reorg") {
          cursor = await handleReorg(cursor, result.reason);
          continue;
        }
        adapt(result);
        // Fetch the next range while this one is written.
        if (result.to < head && !stopping) {
          const nFrom: number = result.to + 1;
          const nTo: number = Math.min(nFrom + sizer.blocks - 1, head);
          const promise = fetchChecked(nFrom, nTo, result.toBlock.hash);
          promise.catch(() => undefined);
          prefetch = { from: nFrom, to: nTo, parent: result.toBlock.hash, promise };
        }
        const t = performance.now();
        try {
          cursor = await commit(result);
        } catch (e) {
          discard();
          throw e;
        }
        const commitMs = performance.now() - t;
        eventsSinceVacuum += result.events.length;
        emit({
          type: "range",
          from: result.from,
          to: result.to,
          events: result.events.length,
          ms: result.ms + commitMs,
          fetchMs: result.ms,
          commitMs,
          chunkBlocks: sizer.blocks,
        });
        if (cursor.number >= head) head = await headOf();
      }
      discard();
      state = { type: "stopped", cursor: cursor.number };
      return cursor;
    } catch (e) {
      state = { type: "failed", error: e instanceof Error ? e : new Error(String(e)) };
      throw e;
    } finally {
      heads?.close();
      heads = null;
      headsTriedAt = -Infinity;
    }
  }

  return {
    run,
    stop() {
      stopping = true;
      heads?.close();
      wake?.();
    },
    get state() {
      return state;
    },
  };
}
