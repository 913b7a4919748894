import type { BatchRecord, LedgerState } from "../../../lib/state/types.js";
import type { ResolvedAuditOptions } from "../../types.js";
import { currencyText, lc } from "./helpers.js";

/** How a batch's keys are measured against the volume limit. */
export type LimitBasis = { unit: "value"; currency: string; limit: bigint } | { unit: "keys"; limit: number };

/**
 * The volume limit that applies to a batch: the product's own limit when configured, else the face
 * value limit of its currency, else (face value 0 or a currency without a limit) the key limit.
 */
export function limitBasis(record: BatchRecord, options: ResolvedAuditOptions): LimitBasis {
  const currency = currencyText(record.currency);
  const product = options.productLimits[lc(record.productId)];
  if (product?.value !== undefined && record.faceValue > 0n) return { unit: "value", currency, limit: product.value };
  if (product?.keys !== undefined) return { unit: "keys", limit: product.keys };
  const limit = options.volumeLimitValue[currency];
  if (limit !== undefined && limit > 0n && record.faceValue > 0n) return { unit: "value", currency, limit };
  return { unit: "keys", limit: options.volumeLimitKeys };
}

/** The share of the limit that `keys` keys of the batch are (1 = exactly the limit). */
export function shareOfLimit(record: BatchRecord, keys: number, options: ResolvedAuditOptions): number {
  const basis = limitBasis(record, options);
  if (basis.unit === "keys") return basis.limit > 0 ? keys / basis.limit : 0;
  // Parts per million keep big face values exact enough without floating the products.
  return Number((BigInt(keys) * record.faceValue * 1_000_000n) / basis.limit) / 1_000_000;
}

/**
 * A stable identity for an account: `id:<party id>` when registered (the same across re-keys),
 * else the account itself.
 */
export function identityOf(state: LedgerState, account: string): string {
  const p = state.parties.get(lc(account) as `0x${string}`);
  return p ? `id:${p.id}` : lc(account);
}
