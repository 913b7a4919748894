import type { Hex } from "viem";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { buildSnapshot } from "../query/buildSnapshot.js";
import type { Sql } from "../store/types.js";

/** A state digest at a block, as `/digest` answers it. */
export type BlockDigest = { block: number; digest: Hex };

/** What {@link createDigestCache} answers when its build queue is full: the caller answers 503. */
export const DIGEST_BUSY = Symbol("digest busy");

/** Options of {@link createDigestCache}. */
export type DigestCacheOptions = {
  /** Digests kept, least recently used evicted first (default 8; 0 = no cache, no build gate). */
  size?: number | undefined;
  /** Snapshot builds waiting for the one running before new ones are refused (default 4). */
  maxWaiting?: number | undefined;
};

/**
 * A per-block cache of state digests over a store: an LRU of `size` entries, one build per block at
 * a time (concurrent requests for the same block share it), at most one snapshot build running and
 * `maxWaiting` queued; beyond that {@link DIGEST_BUSY}. The cache is emptied whenever the database
 * committed a write since the last look (its next transaction id moved): the indexer commits once
 * per new head, so each block's digest is built at most once per head, and a reorganisation or
 * any other change of the rows is never answered from the cache.
 *
 * @param sql - the store.
 * @param options - see {@link DigestCacheOptions}.
 * @returns `get(block)`: the digest at `block` (the caller checks it is at most the cursor), or
 *   DIGEST_BUSY; `builds`: snapshot builds so far.
 * @example
 * const cache = createDigestCache(store, { size: 8 });
 * const d = await cache.get(cursor.number);
 */
export function createDigestCache(sql: Sql, options: DigestCacheOptions = {}) {
  const size = options.size ?? 8;
  const maxWaiting = options.maxWaiting ?? 4;
  const entries = new Map<number, Promise<BlockDigest>>();
  let generation: string | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let pending = 0;
  let builds = 0;

  const build = async (block: number): Promise<BlockDigest> => {
    builds++;
    return { block, digest: computeStateDigest(await buildSnapshot(sql, { block })) };
  };

  /** Empties the cache when a write transaction committed since the last call. */
  const follow = async () => {
    const rows = await sql.query<{ g: string }>("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS g");
    const g = rows[0]?.g ?? null;
    if (g === null || g !== generation) entries.clear();
    generation = g;
  };

  return {
    /** Snapshot builds started so far (cache misses). */
    get builds() {
      return builds;
    },
    /**
     * The digest at `block`, built at most once per block while cached.
     *
     * @param block - a block at or below the store's cursor.
     * @param head - true for the cursor's block: it queues even when the queue is full (it is
     *   built once per head, so hostile requests for it cannot pile up).
     */
    async get(block: number, head = false): Promise<BlockDigest | typeof DIGEST_BUSY> {
      if (size === 0) return await build(block);
      await follow();
      const hit = entries.get(block);
      if (hit) {
        entries.delete(block);
        entries.set(block, hit);
        return await hit;
      }
      if (!head && pending > maxWaiting) return DIGEST_BUSY;
      pending++;
      const p = running.then(() => build(block)).finally(() => pending--);
      running = p.catch(() => undefined);
      entries.set(block, p);
      while (entries.size > size) entries.delete(entries.keys().next().value!);
      p.catch(() => entries.get(block) === p && entries.delete(block));
      return await p;
    },
  };
}
