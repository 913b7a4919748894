import { encodeAbiParameters, keccak256, numberToHex } from "viem";
import type { Hex } from "viem";

/**
 * KeyLedger v2's storage layout (normative: docs/FORMATS.md, "Ledger v2 storage layout"): one
 * ERC-7201 namespace `keytrail.storage.KeyLedgerV2` shared by the ledger and its sale module.
 * `test/proof/layout.test.ts` fails when the compiled layout moves.
 */
export const LEDGER_V2_NAMESPACE = 0xd307b8102125bb4477800aee96440b5a44111823732eb90f83e49bab70977400n;

/** Field offsets in the namespace (Layout struct order). */
export const LEDGER_V2_FIELDS = {
  partyCount: 0n,
  parties: 1n,
  byId: 2n,
  auths: 3n,
  redeemers: 4n,
  rekeys: 5n,
  batches: 6n,
  custody: 7n,
  regFreeze: 8n,
  supFreeze: 9n,
  redeemed: 10n,
  sales: 11n,
  saleRecords: 12n,
} as const;

const word = (n: bigint): Hex => numberToHex(n, { size: 32 });

/**
 * Answers of {@link mappingSlot} already computed (a pure function): a status read derives the same
 * slots again in each lookup attempt and round, and the verify page's first round derives them before
 * the read. Bounded: cleared when full.
 */
const derived = new Map<string, bigint>();

/** `keccak256(abi.encode(key, slot))`: a mapping's entry for a uint256/bytes32 key. */
export function mappingSlot(key: bigint | Hex, slot: bigint): bigint {
  const k = typeof key === "bigint" ? word(key) : key;
  const id = `${k.toLowerCase()} ${slot}`;
  let s = derived.get(id);
  if (s === undefined) {
    s = BigInt(keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [k, slot])));
    if (derived.size >= 4096) derived.clear();
    derived.set(id, s);
  }
  return s;
}

/** The slot of a namespace field. */
export const fieldSlot = (field: keyof typeof LEDGER_V2_FIELDS): bigint =>
  LEDGER_V2_NAMESPACE + LEDGER_V2_FIELDS[field];

/** First slot of `batches[batchId]` (root); the packed record is the next slot. */
export const batchSlot = (batchId: Hex): bigint => mappingSlot(batchId, fieldSlot("batches"));

/** `byId[id]` (account, suspended). */
export const partyRefSlot = (id: bigint): bigint => mappingSlot(id, fieldSlot("byId"));

/** Base of one batch's map in a `mapping(bytes32 => mapping(uint256 => uint256))` field. */
export const batchMapBase = (field: "custody" | "regFreeze" | "supFreeze" | "redeemed" | "sales", batchId: Hex) =>
  mappingSlot(batchId, fieldSlot(field));

/** The slot of `saleRecords[batchId][saleNo]`: the root's first 24 bytes (low 192 bits), sellerId (24), soldAt (40). */
export const saleRecordSlot = (batchId: Hex, saleNo: bigint): bigint =>
  mappingSlot(saleNo, mappingSlot(batchId, fieldSlot("saleRecords")));

/** The 32-byte hex of a slot number. */
export const slotHex = (slot: bigint): Hex => word(slot);

/** Bits [from, from + width) of a word. */
export const bits = (w: bigint, from: number, width: number): bigint =>
  (w >> BigInt(from)) & ((1n << BigInt(width)) - 1n);
