import type { Hex } from "viem";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { buildSnapshot } from "../query/buildSnapshot.js";
import type { Sql } from "../store/types.js";

/** A state digest at a block, as `/digest` answers it. */
export type BlockDigest = { block: number; digest: Hex };

/** What {@link createDigestCache} answers when it refuses a build: the caller answers 503. */
export type DigestBusy = { busy: true; retryAfterSeconds: number };

/** Options of {@link createDigestCache}. */
export type DigestCacheOptions = {
  /** Digests kept, least recently used evicted first (default 8; 0 = no cache, no build gate). */
  size?: number | undefined;
  /** Snapshot builds waiting for the one running before new ones are refused (default 4). */
  maxWaiting?: number | undefined;
  /**
   * Share of wall time that builds for blocks other than the head may take (default 0.05): after
   * such a build of d ms, the next one waits d / share - d ms (until then: busy). 1 = no limit.
   */
  buildShare?: number | undefined;
};

/**
 * A per-block cache of state digests over a store: an LRU of `size` entries, one build per block at
 * a time (concurrent requests for the same block share it), at most one snapshot build running and
 * `maxWaiting` queued, and builds for past blocks held to `buildShare` of the time; beyond that
 * {@link DigestBusy}. A snapshot build holds an embedded database and the CPU (the digest is
 * hashed on the event loop), so this bounds what hostile block values can take from other routes.
 * The cache is emptied whenever the database
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
  const share = options.buildShare ?? 0.05;
  let nextPastBuild = 0;
  const entries = new Map<number, Promise<BlockDigest>>();
  let generation: string | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let pending = 0;
  let builds = 0;

  const build = async (block: number, head: boolean): Promise<BlockDigest> => {
    builds++;
    const t = performance.now();
    try {
      return { block, digest: computeStateDigest(await buildSnapshot(sql, { block })) };
    } finally {
      const end = performance.now();
      if (!head && share < 1) nextPastBuild = Math.max(nextPastBuild, end + (end - t) * (1 / share - 1));
    }
  };
  const busy = (ms: number): DigestBusy => ({ busy: true, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) });

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
    async get(block: number, head = false): Promise<BlockDigest | DigestBusy> {
      if (size === 0) return await build(block, true);
      await follow();
      const hit = entries.get(block);
      if (hit) {
        entries.delete(block);
        entries.set(block, hit);
        return await hit;
      }
      if (!head && pending > maxWaiting) return busy(1000);
      const wait = nextPastBuild - performance.now();
      if (!head && wait > 0) return busy(wait);
      pending++;
      const p = running.then(() => build(block, head)).finally(() => pending--);
      running = p.catch(() => undefined);
      entries.set(block, p);
      while (entries.size > size) entries.delete(entries.keys().next().value!);
      p.catch(() => entries.get(block) === p && entries.delete(block));
      return await p;
    },
  };
}
