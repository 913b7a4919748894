/**
 * The buyer-receipt hashes of lib/sale (receipt commitment, order-reference hash, sale leaf and
 * proof), written on @noble/hashes alone so that the verifier, which runs in the portal's small
 * bundle, loads no Ethereum client. test/verify/receiptHashes.test.ts checks that both agree.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Hex } from "viem";
import { readHex, writeHex } from "../../payload/internal/hex.js";

const utf8 = new TextEncoder();
const RECEIPT_TAG = utf8.encode("keytrail-receipt-v1");
const ORDER_REF_TAG = utf8.encode("keytrail-order-v1");

/** One item of a sale as `KeysSold` lists it. */
export type ReceiptItem = { index: number; commitment: Hex; orderRef: Hex };

function bytes(hex: Hex, size: number, what: string): Uint8Array {
  const out = new Uint8Array(size);
  if (!writeHex(hex, size, out, 0)) throw new Error(`${what} is not 0x and ${size * 2} hex digits.`);
  return out;
}

/** `keccak256("keytrail-receipt-v1" ‖ batchId ‖ uint64(index) ‖ secret)` (lib/sale computeReceiptCommitment). */
export function receiptCommitment(batchId: Hex, index: number, secret: Hex): Hex {
  const b = new Uint8Array(RECEIPT_TAG.length + 32 + 8 + 16);
  b.set(RECEIPT_TAG, 0);
  let o = RECEIPT_TAG.length;
  b.set(bytes(batchId, 32, "batchId"), o);
  o += 32;
  let v = BigInt(index);
  for (let i = 7; i >= 0; i--, v >>= 8n) b[o + i] = Number(v & 255n);
  o += 8;
  b.set(bytes(secret, 16, "receipt secret"), o);
  return readHex(keccak_256(b), 0, 32);
}

/** `keccak256("keytrail-order-v1" ‖ secret ‖ UTF-8(trim(NFC(ref))))` (lib/sale computeOrderRefHash), or undefined for an unusable reference. */
export function orderRefHash(orderReference: string, secret: Hex): Hex | undefined {
  const ref = orderReference.normalize("NFC").trim();
  if (ref.length === 0 || [...ref].length > 128) return undefined;
  const r = utf8.encode(ref);
  const b = new Uint8Array(ORDER_REF_TAG.length + 16 + r.length);
  b.set(ORDER_REF_TAG, 0);
  b.set(bytes(secret, 16, "receipt secret"), ORDER_REF_TAG.length);
  b.set(r, ORDER_REF_TAG.length + 16);
  return readHex(keccak_256(b), 0, 32);
}

/** The sale leaf `keccak256(keccak256(abi.encode(batchId, uint256 index, commitment, orderRef)))`. */
function leaf(batchId: Uint8Array, item: ReceiptItem): Uint8Array {
  const b = new Uint8Array(128);
  b.set(batchId, 0);
  let v = BigInt(item.index);
  for (let i = 63; i >= 32 && v > 0n; i--, v >>= 8n) b[i] = Number(v & 255n);
  b.set(bytes(item.commitment, 32, "commitment"), 64);
  b.set(bytes(item.orderRef, 32, "orderRef"), 96);
  return keccak_256(keccak_256(b));
}

function parent(a: Uint8Array, b: Uint8Array): Uint8Array {
  let d = 0;
  for (let i = 0; i < 32 && d === 0; i++) d = a[i]! - b[i]!;
  const buf = new Uint8Array(64);
  buf.set(d <= 0 ? a : b, 0);
  buf.set(d <= 0 ? b : a, 32);
  return keccak_256(buf);
}

/**
 * The Merkle proof of item `position` of a sale (lib/sale saleProof: sorted pairs, an odd last node
 * moves up unchanged), and the root it leads to.
 */
export function saleProofOf(
  batchId: Hex,
  items: readonly ReceiptItem[],
  position: number,
): { proof: Hex[]; root: Hex } {
  const id = bytes(batchId, 32, "batchId");
  let level = items.map((it) => leaf(id, it));
  const proof: Hex[] = [];
  let p = position;
  while (level.length > 1) {
    const sibling = p % 2 === 0 ? p + 1 : p - 1;
    if (sibling < level.length) proof.push(readHex(level[sibling]!, 0, 32));
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(parent(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
    p = Math.floor(p / 2);
  }
  return { proof, root: readHex(level[0]!, 0, 32) };
}
