import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes } from "viem";
import type { Hex } from "viem";
import { ProofError } from "./errors.js";
import { rlpEncode } from "./rlp.js";

/** A block header as `eth_getBlockByNumber` returns it (hex fields; later forks' fields optional). */
export type RpcBlockHeader = {
  hash: Hex;
  parentHash: Hex;
  sha3Uncles: Hex;
  miner: Hex;
  stateRoot: Hex;
  transactionsRoot: Hex;
  receiptsRoot: Hex;
  logsBloom: Hex;
  difficulty: Hex;
  number: Hex;
  gasLimit: Hex;
  gasUsed: Hex;
  timestamp: Hex;
  extraData: Hex;
  mixHash: Hex;
  nonce: Hex;
  baseFeePerGas?: Hex | null;
  withdrawalsRoot?: Hex | null;
  blobGasUsed?: Hex | null;
  excessBlobGas?: Hex | null;
  parentBeaconBlockRoot?: Hex | null;
  requestsHash?: Hex | null;
};

/** Fields in header order; the optional ones (London, Shanghai, Cancun, Prague) are appended while present. */
const FIXED = [
  ["parentHash", "bytes"],
  ["sha3Uncles", "bytes"],
  ["miner", "bytes"],
  ["stateRoot", "bytes"],
  ["transactionsRoot", "bytes"],
  ["receiptsRoot", "bytes"],
  ["logsBloom", "bytes"],
  ["difficulty", "int"],
  ["number", "int"],
  ["gasLimit", "int"],
  ["gasUsed", "int"],
  ["timestamp", "int"],
  ["extraData", "bytes"],
  ["mixHash", "bytes"],
  ["nonce", "bytes"],
] as const;
const OPTIONAL = [
  ["baseFeePerGas", "int"],
  ["withdrawalsRoot", "bytes"],
  ["blobGasUsed", "int"],
  ["excessBlobGas", "int"],
  ["parentBeaconBlockRoot", "bytes"],
  ["requestsHash", "bytes"],
] as const;

function field(header: RpcBlockHeader, name: string, kind: "bytes" | "int"): Uint8Array {
  const v = (header as unknown as Record<string, unknown>)[name];
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]*$/.test(v)) {
    throw new ProofError(`Block header ${header.hash}: field ${name} is ${String(v)}, not hex.`);
  }
  if (kind === "bytes") return hexToBytes(v as Hex);
  const n = BigInt(v);
  if (n === 0n) return new Uint8Array();
  const digits = n.toString(16);
  return hexToBytes(`0x${digits.length % 2 ? "0" : ""}${digits}`);
}

/**
 * Recomputes a block's hash from its header fields: keccak256 of the RLP list of the fields in
 * header order. An RPC can claim any stateRoot for a block; this ties the stateRoot it returns to
 * the hash the other RPCs agree on. Fields of later forks are taken while present, in order; a
 * gap (a later field present, an earlier one missing) is refused.
 *
 * @param header - the header as JSON-RPC returns it.
 * @returns the recomputed hash (compare it with `header.hash` and with other RPCs' hash of the block).
 * @example
 * if (computeBlockHash(block) !== block.hash) throw new Error("the RPC's header does not hash to its hash");
 */
export function computeBlockHash(header: RpcBlockHeader): Hex {
  const items = FIXED.map(([name, kind]) => field(header, name, kind));
  let missing: string | null = null;
  for (const [name, kind] of OPTIONAL) {
    const v = (header as unknown as Record<string, unknown>)[name];
    if (v === undefined || v === null) {
      missing ??= name;
      continue;
    }
    if (missing) throw new ProofError(`Block header ${header.hash}: ${name} is present but ${missing} is not.`);
    items.push(field(header, name, kind));
  }
  return bytesToHex(keccak_256(rlpEncode(items)));
}
