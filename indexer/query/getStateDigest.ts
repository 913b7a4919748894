import type { Hex } from "viem";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { readCursor } from "../store/readCursor.js";
import type { Sql } from "../store/types.js";
import { buildSnapshot } from "./buildSnapshot.js";

/**
 * The state digest (docs/STATE-DIGEST.md) at a block: lib/state `computeStateDigest` over the
 * snapshot built from the store. Default block: the cursor.
 *
 * @param sql - the store.
 * @param parameters.block - a block at or below the cursor (default: the cursor).
 * @returns the block and the digest; null when nothing is indexed yet.
 * @example
 * const { digest } = (await getStateDigest(store))!;
 */
export async function getStateDigest(
  sql: Sql,
  parameters: { block?: number | undefined } = {},
): Promise<{ block: number; digest: Hex } | null> {
  const cursor = await readCursor(sql);
  if (!cursor) return null;
  const block = Math.min(parameters.block ?? cursor.number, cursor.number);
  return { block, digest: computeStateDigest(await buildSnapshot(sql, { block })) };
}
