import type { LedgerSnapshot } from "./types.js";
import { writeCanonicalSnapshot } from "./internal/writeCanonicalSnapshot.js";

/**
 * The canonical byte encoding of a snapshot, exactly the bytes `computeStateDigest` hashes
 * (layout in docs/STATE-DIGEST.md). Useful to debug a digest mismatch byte by byte.
 *
 * @param snapshot The snapshot (canonicalised on the way: sorted, merged, lowercased).
 * @returns The encoding.
 * @example
 * const bytes = encodeSnapshot(toSnapshot(state)); // keccak256(bytes) === computeStateDigest(...)
 */
export function encodeSnapshot(snapshot: LedgerSnapshot): Uint8Array {
  const chunks: Uint8Array[] = [];
  let length = 0;
  writeCanonicalSnapshot(snapshot, (c) => {
    chunks.push(c);
    length += c.length;
  });
  const out = new Uint8Array(length);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
