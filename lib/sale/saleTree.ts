import { concat, hexToBytes, keccak256 } from "viem";
import type { Hex } from "viem";
import { SaleInputError } from "./errors.js";
import { saleLeaf } from "./saleLeaf.js";
import type { SaleItem } from "./saleLeaf.js";

function parent(a: Hex, b: Hex): Hex {
  const x = hexToBytes(a);
  const y = hexToBytes(b);
  for (let i = 0; i < 32; i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
  }
  return keccak256(concat([a, b]));
}

/** Every level of a sale's tree, leaves first (sorted pairs; an odd node moves up unchanged). */
function levels(items: readonly SaleItem[]): Hex[][] {
  if (items.length === 0) throw new SaleInputError("Invalid sale: it has no items.");
  const out: Hex[][] = [items.map(saleLeaf)];
  while (out[out.length - 1]!.length > 1) {
    const level = out[out.length - 1]!;
    const next: Hex[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(parent(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    out.push(next);
  }
  return out;
}

/**
 * The Merkle root of one sale (one `SaleGroup` of a `sell` call, items in call order), as the
 * ledger stores it and `KeysSold` carries it.
 *
 * @param items - the group's items in call order.
 * @returns the root.
 * @example
 * const root = saleRoot(items);
 */
export function saleRoot(items: readonly SaleItem[]): Hex {
  const l = levels(items);
  return l[l.length - 1]![0]!;
}

/**
 * The Merkle proof of item `position` of a sale, for `refund` and `verifyReceipt`.
 *
 * @param items - the group's items in call order (from the `KeysSold` event).
 * @param position - the item's position in the group.
 * @returns sibling nodes, leaf level first (levels where the node moved up alone are skipped).
 * @example
 * const proof = saleProof(items, items.findIndex((it) => it.index === 7n));
 */
export function saleProof(items: readonly SaleItem[], position: number): Hex[] {
  if (!Number.isInteger(position) || position < 0 || position >= items.length) {
    throw new SaleInputError(`Invalid sale item position ${position}: the sale has ${items.length} items.`);
  }
  const proof: Hex[] = [];
  let p = position;
  for (const level of levels(items).slice(0, -1)) {
    const sibling = p % 2 === 0 ? p + 1 : p - 1;
    if (sibling < level.length) proof.push(level[sibling]!);
    p = Math.floor(p / 2);
  }
  return proof;
}
