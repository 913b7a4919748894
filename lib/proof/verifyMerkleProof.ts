import { keccak_256 } from "@noble/hashes/sha3.js";
import { ProofError } from "./errors.js";
import { rlpDecode, rlpEncode } from "./rlp.js";
import type { RlpItem } from "./rlp.js";

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function nibblesOf(key: Uint8Array): number[] {
  const out: number[] = [];
  for (const b of key) out.push(b >> 4, b & 15);
  return out;
}

/** Decodes a hex-prefix (compact) path: its nibbles and whether it ends in a leaf. */
function hexPrefix(path: Uint8Array, where: string): { nibbles: number[]; leaf: boolean } {
  if (path.length === 0) throw new ProofError(`MPT: ${where} has an empty path.`);
  const flag = path[0]! >> 4;
  if (flag > 3) throw new ProofError(`MPT: ${where} has path flag ${flag} (expected 0-3).`);
  const all = nibblesOf(path);
  if ((flag & 1) === 0 && all[1] !== 0) throw new ProofError(`MPT: ${where} has a non-zero padding nibble.`);
  return { nibbles: all.slice(flag & 1 ? 1 : 2), leaf: flag >= 2 };
}

/**
 * Verifies a Merkle-Patricia proof (as `eth_getProof` returns it) for `key` against `root`, and
 * returns the proven value: the RLP-encoded value at the key, or `null` when the proof shows the
 * key is absent. Strict: every node must be reached from the root by hash (or embedded), a node
 * that does not hash to its reference, an unused extra node, or a malformed node throws a
 * {@link ProofError} naming the node. The walk follows the Yellow Paper's trie (branch, extension,
 * leaf with hex-prefix paths; nodes under 32 bytes embedded in their parent).
 *
 * @param parameters.root - the trie root (32 bytes): a block's stateRoot or an account's storageRoot.
 * @param parameters.key - the trie key: keccak256 of the address or of the 32-byte slot.
 * @param parameters.proof - the nodes, root first, each its RLP encoding.
 * @param parameters.hashes - optional: keccak256 of each node of `proof`, in order (computed here when
 *   absent); lets a caller that verifies many proofs sharing nodes hash each node once.
 * @returns the value's RLP bytes, or null when proven absent.
 * @example
 * const account = verifyMerkleProof({ root: stateRoot, key: keccak_256(address), proof: accountProof });
 */
export function verifyMerkleProof(parameters: {
  root: Uint8Array;
  key: Uint8Array;
  proof: readonly Uint8Array[];
  hashes?: readonly Uint8Array[];
}): Uint8Array | null {
  const { root, key, proof, hashes } = parameters;
  const path = nibblesOf(key);
  let p = 0;
  let used = 0;
  // The next node: by hash (32 bytes) from the proof list, or embedded (a decoded list) in its parent.
  let ref: RlpItem = root;
  let where = "root";
  for (;;) {
    let node: RlpItem;
    if (ref instanceof Uint8Array) {
      if (ref.length !== 32) throw new ProofError(`MPT: ${where} references a ${ref.length}-byte hash.`);
      const encoded = proof[used];
      if (!encoded) throw new ProofError(`MPT: the proof ends at node ${used} before the key's path does (${where}).`);
      const h = hashes?.[used] ?? keccak_256(encoded);
      if (!equal(h, ref)) {
        throw new ProofError(`MPT: node ${used} hashes to 0x${hex(h)}, not to 0x${hex(ref)} that ${where} names.`);
      }
      node = rlpDecode(encoded);
      where = `node ${used}`;
      used++;
    } else {
      if (rlpEncode(ref).length >= 32) throw new ProofError(`MPT: ${where} embeds a node of 32 bytes or more.`);
      node = ref;
      where = `${where} (embedded)`;
    }
    if (!Array.isArray(node)) throw new ProofError(`MPT: ${where} is not a list.`);
    let next: RlpItem | null;
    if (node.length === 17) {
      if (p === path.length) {
        const v = node[16]!;
        if (!(v instanceof Uint8Array)) throw new ProofError(`MPT: ${where} has a list as its value.`);
        if (used !== proof.length) throw new ProofError(`MPT: ${proof.length - used} proof nodes are not on the path.`);
        return v.length ? v : null;
      }
      const child: RlpItem = node[path[p]!]!;
      p++;
      if (child instanceof Uint8Array && child.length === 0) next = null;
      else next = child;
    } else if (node.length === 2) {
      const [rawPath, rest] = node as [RlpItem, RlpItem];
      if (!(rawPath instanceof Uint8Array)) throw new ProofError(`MPT: ${where} has a list as its path.`);
      const hp = hexPrefix(rawPath, where);
      const remaining = path.slice(p);
      if (hp.leaf) {
        if (!(rest instanceof Uint8Array)) throw new ProofError(`MPT: leaf ${where} has a list as its value.`);
        if (used !== proof.length) throw new ProofError(`MPT: ${proof.length - used} proof nodes are not on the path.`);
        const match = hp.nibbles.length === remaining.length && hp.nibbles.every((n, i) => n === remaining[i]);
        return match ? rest : null;
      }
      const prefixMatches = hp.nibbles.length <= remaining.length && hp.nibbles.every((n, i) => n === remaining[i]);
      if (hp.nibbles.length === 0) throw new ProofError(`MPT: extension ${where} has an empty path.`);
      if (!prefixMatches) next = null;
      else {
        p += hp.nibbles.length;
        next = rest;
      }
    } else {
      throw new ProofError(`MPT: ${where} is a list of ${node.length} items (expected 17 or 2).`);
    }
    if (next === null) {
      if (used !== proof.length) throw new ProofError(`MPT: ${proof.length - used} proof nodes are not on the path.`);
      return null;
    }
    ref = next;
  }
}
