/**
 * The short form's proof data (a proof shard) is someone else's: a portal, a CDN, an export, a folder. These
 * helpers fetch it and judge it against the root read from the chain, so that broken or forged proof data ends in
 * "cannot confirm" naming where it came from, never in a verdict against the key or its seller (docs/MERKLE.md,
 * "Judging a shard"; docs/FORMATS.md §8).
 */
import type { Hex } from "viem";
import { decodeProofShard } from "../../merkle/decodeProofShard.js";
import { leafHash } from "../../merkle/leafHash.js";
import { proofFromShard } from "../../merkle/proofFromShard.js";
import type { ProofShard } from "../../merkle/types.js";
import { verifyProof } from "../../merkle/verifyProof.js";
import type { DecodedPayload } from "../../schemas/payload.js";
import type { CannotConfirm, VerifyOptions } from "../types.js";

/** Keys per shard tried first when neither the caller nor the export says (the seal's default). */
export const DEFAULT_SHARD_SIZE = 1024;

/** Why a short form's proof data could not be used. */
export type ProofDataProblem = Extract<CannotConfirm, `proof-data-${string}`>;

const short = (h: string) => `${h.slice(0, 10)}…${h.slice(-8)}`;
const text = (e: unknown) =>
  e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e);

/** An error whose message names where the data came from, once (a source's "<relative path>: …" is widened). */
function at(where: string, e: unknown): Error {
  const m = text(e);
  if (m.includes(where)) return new Error(m, { cause: e });
  const head = m.split(": ")[0]!;
  if (head !== m && head.length > 0 && where.endsWith(head))
    return new Error(`${where}${m.slice(head.length)}`, { cause: e });
  return new Error(`${where}: ${m}`, { cause: e });
}

/**
 * Fetches and decodes the shard that holds the payload's key. The first request uses `options.shardSize` (or the
 * default); a shard that names another size is asked for again once at its own size.
 *
 * @returns the shard and where it came from, or why there is none: `proof-data-unavailable` (no source, or the
 *   source failed: missing file, HTTP error, time-out, size cap), `proof-data-invalid` (the bytes are not a
 *   proof shard file), `proof-data-mismatch` (a valid shard, but not the one asked for).
 */
export async function fetchShardFor(
  p: DecodedPayload,
  options: VerifyOptions,
): Promise<{ where: string; shard: ProofShard } | { where: string; cause: ProofDataProblem; error: Error }> {
  if (!options.fetchShard)
    return {
      where: "",
      cause: "proof-data-unavailable",
      error: new Error("a short-form payload needs its proof shard, and no shard source is configured"),
    };
  const describe = (s: number) =>
    options.describeShard?.(p.batchId, s) ?? `proof shard ${s} of batch ${short(p.batchId)}`;
  let size = options.shardSize ?? DEFAULT_SHARD_SIZE;
  for (let attempt = 0; ; attempt++) {
    const s = Math.floor(p.index / size);
    const where = describe(s);
    let bytes: Uint8Array;
    try {
      bytes = await options.fetchShard(p.batchId, s);
    } catch (e) {
      return { where, cause: "proof-data-unavailable", error: at(where, e) };
    }
    let shard: ProofShard;
    try {
      shard = decodeProofShard(bytes);
    } catch (e) {
      return { where, cause: "proof-data-invalid", error: at(where, e) };
    }
    if (shard.shardSize !== size && attempt === 0) {
      size = shard.shardSize;
      continue;
    }
    if (shard.shardSize !== size || shard.shardIndex !== s)
      return {
        where,
        cause: "proof-data-mismatch",
        error: new Error(
          `${where} is shard ${shard.shardIndex} of ${shard.shardSize} keys, not shard ${s} of ${size} keys`,
        ),
      };
    return { where, shard };
  }
}

/**
 * Judges a decoded shard: with the chain's root, the shard must fold to it (its commitments rebuild the shard's
 * subtree and its path leads from there to the root) and name the chain's key count.
 *
 * @param root - the root read from the chain, or undefined when the chain could not be read.
 * @param count - the chain's key count, when the status was read.
 * @returns the key's commitment and proof (`confirmed` when checked against `root`); `outOfRange` when a
 *   confirmed shard shows the batch ends before the key; or the problem (a mismatch with the chain, named).
 */
export function judgeShard(
  shard: ProofShard,
  p: DecodedPayload,
  root: Hex | undefined,
  count: number | undefined,
  where: string,
):
  { problem: Error } | { outOfRange: true } | { outOfRange: false; confirmed: boolean; commitment: Hex; proof: Hex[] } {
  if (count !== undefined && shard.batchCount !== count)
    return {
      problem: new Error(`${where} says the batch holds ${shard.batchCount} keys; the chain says ${count}`),
    };
  const start = shard.shardIndex * shard.shardSize;
  const inBatch = p.index < shard.batchCount;
  // A key beyond the batch's end is in no shard: the shard is then checked through its first key.
  const k = inBatch ? p.index : start;
  let r: { commitment: Hex; proof: Hex[] };
  try {
    r = proofFromShard(shard, k, p.batchId);
  } catch (e) {
    return { problem: at(where, e) };
  }
  if (root !== undefined && !verifyProof(root, leafHash(p.batchId, k, r.commitment), r.proof))
    return {
      problem: new Error(
        `${where} does not fold to the batch root ${short(root)} read from the chain ` +
          "(its commitments or its path were altered)",
      ),
    };
  if (!inBatch) {
    if (root !== undefined) return { outOfRange: true };
    return {
      problem: new Error(`${where} says the batch holds ${shard.batchCount} keys, which the chain could not confirm`),
    };
  }
  return { outOfRange: false, confirmed: root !== undefined, commitment: r.commitment, proof: r.proof };
}

/**
 * Why the chain could not confirm a key, from the error of the status or root read: RPCs that disagree (on a
 * block, an `eth_call` or the chain id), an answer whose proofs do not check, or no answer at all.
 */
export function cannotConfirmCause(e: unknown): CannotConfirm {
  if (!(e instanceof Error)) return "chain-unreachable";
  const m = (e as { shortMessage?: string }).shortMessage ?? e.message;
  if (/\bdisagree\b/i.test(m)) return "rpc-disagree";
  if (e.name === "ProofError") return "chain-proof-invalid";
  return "chain-unreachable";
}
