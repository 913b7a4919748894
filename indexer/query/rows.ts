/**
 * Row shapes shared by the store queries: the columns of `kt_batches`, `kt_authorizations` and
 * `kt_transfers` as the queries select them (int8 and numeric columns cast to text).
 */
import type { Address, Hex } from "viem";

/** A `kt_batches` row's descriptive columns. */
export type BatchRow = {
  batch_id: Hex;
  supplier: Address;
  label: string;
  root: Hex;
  count: number;
  product_id: Hex;
  face_value: string;
  currency: Hex;
  expires_at: string;
  restricted: boolean;
  sale_required: boolean;
  manifest_hash: Hex;
  manifest_uri: string;
};

/** A `kt_authorizations` row. */
export type AuthorizationRow = {
  supplier: Address;
  distributor: Address;
  tier: number;
  expires_at: string;
  certificate_hash: Hex;
};

/** Where a `kt_batches` or `kt_transfers` event stands in chain history. */
export type EventRow = { block: number; log_index: number; tx: Hex; timestamp: number };

/** A `kt_transfers` row. */
export type TransferRow = EventRow & {
  from_addr: Address;
  to_addr: Address;
  seg_start: number;
  seg_end: number;
  memo: Hex;
  authorized: boolean;
};
