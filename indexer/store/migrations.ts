/**
 * Schema migrations, applied in order by {@link migrate}; never edit a released one, add a new one.
 *
 * Versioned state tables (`kt_parties`, `kt_authorizations`, `kt_redeemers`, `kt_segments`,
 * `kt_redemption_words`) keep every version of a row with the block range it was valid in:
 * `from_block <= B < to_block` (to_block null = current). This gives the state at any block (for
 * the digest and for "authorised at the time" answers) and makes a reorg rollback two statements
 * per table. History tables (`kt_batches`, `kt_transfers`, `kt_revocations`, `kt_redemptions`) are
 * append-only, keyed by (block, log_index).
 *
 * Key-level tables refer to a batch by `batch_no` (int4, assigned in anchoring order) rather than
 * its 32-byte id: GiST over (int4, int8range) is several times cheaper to maintain than over
 * (text, int8range), which is what bounds the backfill rate.
 */
/**
 * Indexes only the read side needs (custody, holdings, flows queries), not the sync engine. A first
 * backfill drops them and builds them once it reaches the head (see `deferQueryIndexes`): far
 * cheaper than maintaining them row by row. Each statement is idempotent.
 */
export const queryIndexes: readonly string[] = [
  "CREATE INDEX IF NOT EXISTS kt_segments_current_keys ON kt_segments USING gist (batch_no, keys) WHERE to_block IS NULL;",
  "CREATE INDEX IF NOT EXISTS kt_segments_current_holder ON kt_segments (holder, batch_no, seg_start) INCLUDE (seg_end, frozen) WHERE to_block IS NULL;",
  "CREATE INDEX IF NOT EXISTS kt_transfers_keys ON kt_transfers USING gist (batch_no, keys);",
  "CREATE INDEX IF NOT EXISTS kt_transfers_from ON kt_transfers (from_addr);",
  "CREATE INDEX IF NOT EXISTS kt_transfers_to ON kt_transfers (to_addr);",
  "CREATE INDEX IF NOT EXISTS kt_transfers_time ON kt_transfers (timestamp);",
];

export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "initial schema",
    sql:
      `
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE kt_meta (key text PRIMARY KEY, value text NOT NULL);

CREATE TABLE kt_cursor (
  id int PRIMARY KEY CHECK (id = 1),
  block_number int8 NOT NULL,
  block_hash text NOT NULL,
  updated_block_time int8 NOT NULL
);

CREATE TABLE kt_blocks (
  number int8 PRIMARY KEY,
  hash text NOT NULL,
  parent_hash text NOT NULL,
  timestamp int8 NOT NULL
);

CREATE TABLE kt_parties (
  address text NOT NULL,
  kind int2 NOT NULL,
  profile_hash text NOT NULL,
  profile_uri text NOT NULL,
  accredited_until numeric(20, 0) NOT NULL,
  suspended boolean NOT NULL,
  registered_block int8 NOT NULL,
  registered_log_index int4 NOT NULL,
  registered_tx text NOT NULL,
  registered_time int8 NOT NULL,
  from_block int8 NOT NULL,
  to_block int8,
  PRIMARY KEY (address, from_block)
);
CREATE INDEX kt_parties_current ON kt_parties (address) WHERE to_block IS NULL;

CREATE TABLE kt_authorizations (
  supplier text NOT NULL,
  distributor text NOT NULL,
  tier int2 NOT NULL,
  expires_at numeric(20, 0) NOT NULL,
  certificate_hash text NOT NULL,
  from_block int8 NOT NULL,
  to_block int8,
  PRIMARY KEY (supplier, distributor, from_block)
);
CREATE INDEX kt_authorizations_distributor ON kt_authorizations (distributor);

CREATE TABLE kt_redeemers (
  supplier text NOT NULL,
  redeemer text NOT NULL,
  from_block int8 NOT NULL,
  to_block int8,
  PRIMARY KEY (supplier, redeemer, from_block)
);

CREATE TABLE kt_batches (
  batch_id text PRIMARY KEY,
  batch_no int4 NOT NULL UNIQUE,
  supplier text NOT NULL,
  label text NOT NULL,
  root text NOT NULL,
  count int8 NOT NULL,
  product_id text NOT NULL,
  face_value numeric(39, 0) NOT NULL,
  currency text NOT NULL,
  expires_at numeric(20, 0) NOT NULL,
  restricted boolean NOT NULL,
  manifest_hash text NOT NULL,
  manifest_uri text NOT NULL,
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  tx text NOT NULL,
  timestamp int8 NOT NULL
);
CREATE INDEX kt_batches_supplier ON kt_batches (supplier);
CREATE INDEX kt_batches_block ON kt_batches (block, log_index);

CREATE TABLE kt_segments (
  batch_no int4 NOT NULL,
  seg_start int8 NOT NULL,
  seg_end int8 NOT NULL,
  keys int8range GENERATED ALWAYS AS (int8range(seg_start, seg_end)) STORED,
  holder text NOT NULL,
  frozen int2 NOT NULL,
  from_block int8 NOT NULL,
  to_block int8,
  PRIMARY KEY (batch_no, seg_start, from_block)
);
CREATE INDEX kt_segments_to_block ON kt_segments (to_block) WHERE to_block IS NOT NULL;

CREATE TABLE kt_redemption_words (
  batch_no int4 NOT NULL,
  word int8 NOT NULL,
  mask text NOT NULL,
  from_block int8 NOT NULL,
  to_block int8,
  PRIMARY KEY (batch_no, word, from_block)
);
CREATE INDEX kt_redemption_words_current ON kt_redemption_words (batch_no, word) WHERE to_block IS NULL;

CREATE TABLE kt_transfers (
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  tx text NOT NULL,
  timestamp int8 NOT NULL,
  batch_no int4 NOT NULL,
  from_addr text NOT NULL,
  to_addr text NOT NULL,
  seg_start int8 NOT NULL,
  seg_end int8 NOT NULL,
  keys int8range GENERATED ALWAYS AS (int8range(seg_start, seg_end)) STORED,
  memo text NOT NULL,
  authorized boolean NOT NULL,
  PRIMARY KEY (block, log_index)
);

CREATE TABLE kt_revocations (
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  tx text NOT NULL,
  timestamp int8 NOT NULL,
  batch_no int4 NOT NULL,
  by_addr text NOT NULL,
  seg_start int8 NOT NULL,
  seg_end int8 NOT NULL,
  reason int2 NOT NULL,
  PRIMARY KEY (block, log_index)
);
CREATE INDEX kt_revocations_batch ON kt_revocations (batch_no);

CREATE TABLE kt_redemptions (
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  tx text NOT NULL,
  timestamp int8 NOT NULL,
  batch_no int4 NOT NULL,
  by_addr text NOT NULL,
  word int8 NOT NULL,
  mask text NOT NULL,
  PRIMARY KEY (block, log_index)
);
CREATE INDEX kt_redemptions_batch ON kt_redemptions (batch_no, word);
` + queryIndexes.join("\n"),
  },
  {
    version: 2,
    name: "KeyLedger v2: party ids, re-keys, freeze layers, sales, refunds",
    // Party rows carry the ledger's numeric id; a re-key closes the old account's rows (party,
    // authorisations, redeemers, custody segments) and opens them under the new account, so
    // history at any block keeps the account of that time. Segments split on the two freeze
    // layers and on the sale state: `frozen` stays the effective reason (the regulator's first).
    sql: `
ALTER TABLE kt_parties ADD COLUMN party_id int4 NOT NULL DEFAULT 0;
ALTER TABLE kt_parties ADD COLUMN suspended_by_regulator boolean NOT NULL DEFAULT false;
CREATE INDEX kt_parties_id ON kt_parties (party_id) WHERE to_block IS NULL;

ALTER TABLE kt_batches ADD COLUMN sale_required boolean NOT NULL DEFAULT false;
ALTER TABLE kt_batches ADD COLUMN supplier_id int4 NOT NULL DEFAULT 0;

ALTER TABLE kt_segments ADD COLUMN reg_reason int2 NOT NULL DEFAULT 0;
ALTER TABLE kt_segments ADD COLUMN sup_reason int2 NOT NULL DEFAULT 0;
ALTER TABLE kt_segments ADD COLUMN sale_no int4 NOT NULL DEFAULT 0;
ALTER TABLE kt_segments ADD COLUMN refunded boolean NOT NULL DEFAULT false;

ALTER TABLE kt_revocations ADD COLUMN by_regulator boolean NOT NULL DEFAULT false;

CREATE TABLE kt_rekeys (
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  tx text NOT NULL,
  timestamp int8 NOT NULL,
  party_id int4 NOT NULL,
  old_addr text NOT NULL,
  new_addr text NOT NULL,
  proposer text NOT NULL,
  confirmer text NOT NULL,
  PRIMARY KEY (block, log_index)
);
CREATE INDEX kt_rekeys_old ON kt_rekeys (old_addr);
CREATE INDEX kt_rekeys_new ON kt_rekeys (new_addr);

CREATE TABLE kt_rekey_proposals (
  old_addr text NOT NULL,
  new_addr text NOT NULL,
  proposer text NOT NULL,
  from_block int8 NOT NULL,
  to_block int8,
  PRIMARY KEY (old_addr, from_block)
);

CREATE TABLE kt_sales (
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  tx text NOT NULL,
  timestamp int8 NOT NULL,
  batch_no int4 NOT NULL,
  sale_no int4 NOT NULL,
  seller text NOT NULL,
  seller_id int4 NOT NULL,
  root text NOT NULL,
  sold_at int8 NOT NULL,
  store text NOT NULL,
  terminal text NOT NULL,
  amount numeric(39, 0) NOT NULL,
  currency text NOT NULL,
  key_count int8 NOT NULL,
  PRIMARY KEY (block, log_index),
  UNIQUE (batch_no, sale_no)
);
CREATE INDEX kt_sales_seller ON kt_sales (seller);

CREATE TABLE kt_sale_ranges (
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  batch_no int4 NOT NULL,
  sale_no int4 NOT NULL,
  seg_start int8 NOT NULL,
  seg_end int8 NOT NULL,
  PRIMARY KEY (batch_no, sale_no, seg_start)
);
CREATE INDEX kt_sale_ranges_keys ON kt_sale_ranges (batch_no, seg_start);
CREATE INDEX kt_sale_ranges_block ON kt_sale_ranges (block);

CREATE TABLE kt_sale_items (
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  pos int4 NOT NULL,
  batch_no int4 NOT NULL,
  sale_no int4 NOT NULL,
  idx int8 NOT NULL,
  commitment text NOT NULL,
  order_ref text NOT NULL,
  PRIMARY KEY (block, log_index, pos)
);
CREATE INDEX kt_sale_items_sale ON kt_sale_items (batch_no, sale_no, idx);

CREATE TABLE kt_refunds (
  block int8 NOT NULL,
  log_index int4 NOT NULL,
  tx text NOT NULL,
  timestamp int8 NOT NULL,
  batch_no int4 NOT NULL,
  sale_no int4 NOT NULL,
  idx int8 NOT NULL,
  seller text NOT NULL,
  order_ref text NOT NULL,
  PRIMARY KEY (block, log_index)
);
CREATE INDEX kt_refunds_batch ON kt_refunds (batch_no, idx);
`,
  },
];
