import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes } from "viem";
import type { Address, Hex } from "viem";
import { ProofError } from "./errors.js";
import { rlpDecode } from "./rlp.js";
import { verifyMerkleProof } from "./verifyMerkleProof.js";

/** keccak256 of the empty trie: the storage root of an account with no storage. */
export const EMPTY_TRIE_ROOT: Hex = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";

/** An account as the state trie proves it. */
export type ProvenAccount = { nonce: bigint; balance: bigint; storageRoot: Hex; codeHash: Hex };

const toBigInt = (b: Uint8Array) => (b.length ? BigInt(bytesToHex(b)) : 0n);

/**
 * Proof nodes already decoded and hashed, by their hex: the storage proofs of one `eth_getProof`
 * answer share their upper nodes (and the account proof is the same in every answer at one block), so
 * a reader verifying many of them decodes and hashes each node once. Only a memo of pure functions of
 * the node's bytes: every proof is still walked and checked in full.
 */
export type ProofNodeCache = Map<string, { bytes: Uint8Array; hash: Uint8Array }>;

/** The proof's nodes as bytes, and their hashes (through `cache` when given). */
function nodesOf(proof: readonly Hex[], cache?: ProofNodeCache): { bytes: Uint8Array[]; hashes: Uint8Array[] } {
  const bytes: Uint8Array[] = [];
  const hashes: Uint8Array[] = [];
  for (const n of proof) {
    const key = n.toLowerCase();
    let e = cache?.get(key);
    if (!e) {
      const b = hexToBytes(n);
      e = { bytes: b, hash: keccak_256(b) };
      cache?.set(key, e);
    }
    bytes.push(e.bytes);
    hashes.push(e.hash);
  }
  return { bytes, hashes };
}

/**
 * Verifies `eth_getProof`'s account proof against a block's state root.
 *
 * @param parameters.stateRoot - the block's stateRoot (from a header whose hash was checked).
 * @param parameters.address - the account.
 * @param parameters.proof - `accountProof` (hex RLP nodes).
 * @param parameters.cache - optional memo of decoded, hashed nodes (see {@link ProofNodeCache}).
 * @returns the proven account, or null when the proof shows it does not exist.
 * @example
 * const account = verifyAccountProof({ stateRoot, address: ledger, proof: response.accountProof });
 */
export function verifyAccountProof(parameters: {
  stateRoot: Hex;
  address: Address;
  proof: readonly Hex[];
  cache?: ProofNodeCache;
}): ProvenAccount | null {
  const nodes = nodesOf(parameters.proof, parameters.cache);
  const value = verifyMerkleProof({
    root: hexToBytes(parameters.stateRoot),
    key: keccak_256(hexToBytes(parameters.address)),
    proof: nodes.bytes,
    hashes: nodes.hashes,
  });
  if (value === null) return null;
  const item = rlpDecode(value);
  if (!Array.isArray(item) || item.length !== 4 || !item.every((x) => x instanceof Uint8Array)) {
    throw new ProofError(
      `Account ${parameters.address}: the proven value is not [nonce, balance, storageRoot, codeHash].`,
    );
  }
  const [nonce, balance, storageRoot, codeHash] = item as Uint8Array[];
  if (storageRoot!.length !== 32 || codeHash!.length !== 32) {
    throw new ProofError(`Account ${parameters.address}: storageRoot or codeHash is not 32 bytes.`);
  }
  return {
    nonce: toBigInt(nonce!),
    balance: toBigInt(balance!),
    storageRoot: bytesToHex(storageRoot!),
    codeHash: bytesToHex(codeHash!),
  };
}

/**
 * Verifies one storage proof of `eth_getProof` against an account's storage root.
 *
 * @param parameters.storageRoot - the proven account's storageRoot.
 * @param parameters.slot - the 32-byte slot.
 * @param parameters.proof - that slot's `proof` (hex RLP nodes).
 * @param parameters.cache - optional memo of decoded, hashed nodes (see {@link ProofNodeCache}).
 * @returns the slot's value (0 when proven absent).
 * @example
 * const word = verifyStorageProof({ storageRoot: account.storageRoot, slot, proof: response.storageProof[0].proof });
 */
export function verifyStorageProof(parameters: {
  storageRoot: Hex;
  slot: Hex;
  proof: readonly Hex[];
  cache?: ProofNodeCache;
}): bigint {
  const slot = hexToBytes(parameters.slot);
  if (slot.length !== 32) throw new ProofError(`Storage slot ${parameters.slot} is not 32 bytes.`);
  if (parameters.storageRoot.toLowerCase() === EMPTY_TRIE_ROOT && parameters.proof.length === 0) return 0n;
  const nodes = nodesOf(parameters.proof, parameters.cache);
  const value = verifyMerkleProof({
    root: hexToBytes(parameters.storageRoot),
    key: keccak_256(slot),
    proof: nodes.bytes,
    hashes: nodes.hashes,
  });
  if (value === null) return 0n;
  const item = rlpDecode(value);
  if (!(item instanceof Uint8Array) || item.length > 32 || item[0] === 0) {
    throw new ProofError(`Storage slot ${parameters.slot}: the proven value is not a canonical word.`);
  }
  return toBigInt(item);
}
