import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Hex } from "viem";

/**
 * A proof-shard reader for short-form payloads: from a sealed batch folder (`<dir>/shards/<s>.bin`)
 * or from a base that holds `<s>.bin` files, a folder or an http(s) URL (`{batchId}` in it is
 * replaced, e.g. an indexer export's `proofs/{batchId}`).
 *
 * @param source - `{ batchDir }` or `{ base }`.
 * @returns the reader, or undefined when no source is given.
 * @example
 * const fetchShard = createShardSource({ batchDir: "out/2026-11-A" });
 */
export function createShardSource(source: {
  batchDir?: string | undefined;
  base?: string | undefined;
}): ((batchId: Hex, shard: number) => Promise<Uint8Array>) | undefined {
  if (source.batchDir) {
    const dir = source.batchDir;
    return async (_batchId, shard) => {
      const file = join(dir, "shards", `${shard}.bin`);
      if (!existsSync(file)) throw new Error(`proof shard ${file} does not exist`);
      return new Uint8Array(readFileSync(file));
    };
  }
  if (source.base) {
    const base = source.base.replace(/\/+$/, "");
    return async (batchId, shard) => {
      const where = `${base.replaceAll("{batchId}", batchId)}/${shard}.bin`;
      if (/^https?:\/\//.test(where)) {
        const res = await fetch(where);
        if (!res.ok) throw new Error(`GET ${where}: HTTP ${res.status}`);
        return new Uint8Array(await res.arrayBuffer());
      }
      if (!existsSync(where)) throw new Error(`proof shard ${where} does not exist`);
      return new Uint8Array(readFileSync(where));
    };
  }
  return undefined;
}
