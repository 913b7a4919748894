import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { Hex } from "viem";

/** Largest proof shard read, in bytes: a shard of 2^16 keys with a 48-node path is about 2 MiB. */
export const SHARD_MAX_BYTES = 8 * 1024 * 1024;
/** Time allowed for one shard over HTTP (connection, headers and body), in milliseconds. */
export const SHARD_TIMEOUT_MS = 10_000;

/** A proof-shard reader and the description of where it reads shard `s` (named in verdicts). */
export type ShardSource = {
  fetchShard: (batchId: Hex, shard: number) => Promise<Uint8Array>;
  describeShard: (batchId: Hex, shard: number) => string;
};

/** Parameters of {@link createShardSource}. */
export type CreateShardSourceParameters = {
  /** A sealed batch folder: `<dir>/shards/<s>.bin`. */
  batchDir?: string | undefined;
  /** A folder or an http(s) URL holding `<s>.bin` files (`{batchId}` in it is replaced). */
  base?: string | undefined;
  /** Per-shard time-out over HTTP, in milliseconds (default {@link SHARD_TIMEOUT_MS}). */
  timeoutMs?: number | undefined;
  /** Byte cap per shard (default {@link SHARD_MAX_BYTES}). */
  maxBytes?: number | undefined;
};

/**
 * A proof-shard reader for short-form payloads: from a sealed batch folder (`<dir>/shards/<s>.bin`)
 * or from a base that holds `<s>.bin` files, a folder or an http(s) URL (`{batchId}` in it is
 * replaced, e.g. an indexer export's `proofs/{batchId}`). Over HTTP a shard gets a time-out for the
 * whole response and a byte cap (a tar-pit or a flood is cut off), no redirects (a redirect could
 * lead to a host nobody chose) and no cookies; a file is capped the same way. Which bases are used at
 * all is the caller's choice (`keytrail verify`: flags and config, the link's host only when allowed).
 *
 * @param source - `{ batchDir }` or `{ base }`, with optional limits.
 * @returns the reader and its description of each shard's location, or undefined when no source is given.
 * @example
 * const source = createShardSource({ batchDir: "out/2026-11-A" });
 */
export function createShardSource(source: CreateShardSourceParameters): ShardSource | undefined {
  const maxBytes = source.maxBytes ?? SHARD_MAX_BYTES;
  const timeoutMs = source.timeoutMs ?? SHARD_TIMEOUT_MS;
  if (source.batchDir) {
    const dir = source.batchDir;
    const describeShard = (_batchId: Hex, shard: number) => join(dir, "shards", `${shard}.bin`);
    return { describeShard, fetchShard: async (batchId, shard) => readCapped(describeShard(batchId, shard), maxBytes) };
  }
  if (source.base) {
    const base = source.base.replace(/\/+$/, "");
    const describeShard = (batchId: Hex, shard: number) => `${base.replaceAll("{batchId}", batchId)}/${shard}.bin`;
    return {
      describeShard,
      fetchShard: async (batchId, shard) => {
        const where = describeShard(batchId, shard);
        return /^https?:\/\//.test(where) ? fetchCapped(where, timeoutMs, maxBytes) : readCapped(where, maxBytes);
      },
    };
  }
  return undefined;
}

function readCapped(file: string, maxBytes: number): Uint8Array {
  if (!existsSync(file)) throw new Error(`proof shard ${file} does not exist`);
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw new Error(`proof shard ${file} has ${size} bytes, more than the ${maxBytes} accepted`);
    const out = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, out, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return out.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

async function fetchCapped(url: string, timeoutMs: number, maxBytes: number): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(timeoutMs);
  const failed = (e: unknown): Error =>
    signal.aborted
      ? new Error(`GET ${url}: no complete answer within ${timeoutMs / 1000} s (timed out)`)
      : new Error(`GET ${url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: "manual", credentials: "omit" });
  } catch (e) {
    throw failed(e);
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${url}: HTTP ${res.status} redirect to ${res.headers.get("location") ?? "?"}, not followed`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${url}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${url}: ${declared} bytes announced, more than the ${maxBytes} accepted`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  try {
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new Error(`GET ${url}: more than the ${maxBytes} bytes accepted`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`GET ${url}:`)) throw e;
    throw failed(e);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
