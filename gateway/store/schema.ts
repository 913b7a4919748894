/**
 * The gateway's tables (prefixed `gw_`, so they can share a database with the indexer). Idempotent:
 * runs at every start.
 *
 * - gw_clients: API clients, the sha256 of their key (never the key) and their scopes.
 * - gw_orders: one row per (client, order reference) = the idempotency key, with the sha256 of the
 *   canonical request body, the allocated indices, status pending | confirmed | failed.
 * - gw_allocations: (signer, batch, index) is the primary key: a key is never allocated twice.
 * - gw_secrets: the receipt secret of each sold key (secret material, returned only to the order's client).
 * - gw_nonces / gw_txs: the outbox. A nonce is taken and the signed raw transaction written in one
 *   database transaction before the broadcast; replacements (fee bumps) add rows with the same nonce.
 * - gw_leases: which replica signs for an account (PostgreSQL with several replicas): the holder and
 *   until when (the database's clock); checked inside every signing transaction.
 * - gw_clients.webhook_url / webhook_secret and gw_webhooks: signed webhooks, one row per event
 *   (order confirmed or failed) written with the status change, delivered with retries and backoff.
 * - gw_orders.memo: the memo text of a transfer placed with one (the CLI's orders files); its keccak256
 *   goes on chain. gw_orders.sale: a sale's own order reference and context (the CLI's `sell`).
 * - gw_allocations.seq: the order in which allocations were committed (always under the account's
 *   advisory lock on PostgreSQL), so a replica catches up with the keys the others allocated.
 */
export const GATEWAY_SCHEMA = `
CREATE TABLE IF NOT EXISTS gw_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS gw_clients (
  id text PRIMARY KEY,
  key_hash text NOT NULL UNIQUE,
  scopes text NOT NULL
);
CREATE TABLE IF NOT EXISTS gw_orders (
  seq bigserial UNIQUE,
  client text NOT NULL,
  ref text NOT NULL,
  body_hash text NOT NULL,
  signer text NOT NULL,
  kind text NOT NULL,
  batch_id text NOT NULL,
  quantity integer NOT NULL,
  recipient text,
  buyer text,
  status text NOT NULL,
  reason text,
  indices text NOT NULL,
  tx_hash text,
  block bigint,
  attempts integer NOT NULL DEFAULT 0,
  created_ms bigint NOT NULL,
  done_ms bigint,
  PRIMARY KEY (client, ref)
);
CREATE INDEX IF NOT EXISTS gw_orders_open ON gw_orders (signer, status) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS gw_allocations (
  signer text NOT NULL,
  batch_id text NOT NULL,
  idx bigint NOT NULL,
  client text NOT NULL,
  ref text NOT NULL,
  PRIMARY KEY (signer, batch_id, idx)
);
CREATE TABLE IF NOT EXISTS gw_secrets (
  client text NOT NULL,
  ref text NOT NULL,
  idx bigint NOT NULL,
  secret text NOT NULL,
  PRIMARY KEY (client, ref, idx)
);
CREATE TABLE IF NOT EXISTS gw_nonces (signer text PRIMARY KEY, next bigint NOT NULL);
CREATE TABLE IF NOT EXISTS gw_txs (
  hash text PRIMARY KEY,
  signer text NOT NULL,
  nonce bigint NOT NULL,
  raw text NOT NULL,
  orders text NOT NULL,
  max_fee text NOT NULL,
  priority_fee text NOT NULL,
  sent_block bigint NOT NULL,
  status text NOT NULL
);
CREATE INDEX IF NOT EXISTS gw_txs_open ON gw_txs (signer, nonce) WHERE status = 'sent';
ALTER TABLE gw_allocations ADD COLUMN IF NOT EXISTS seq bigserial;
CREATE INDEX IF NOT EXISTS gw_allocations_seq ON gw_allocations (signer, seq);
CREATE INDEX IF NOT EXISTS gw_orders_seq ON gw_orders (signer, seq);
ALTER TABLE gw_clients ADD COLUMN IF NOT EXISTS webhook_url text;
ALTER TABLE gw_clients ADD COLUMN IF NOT EXISTS webhook_secret text;
CREATE TABLE IF NOT EXISTS gw_webhooks (
  id bigserial PRIMARY KEY,
  client text NOT NULL,
  ref text NOT NULL,
  event text NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_ms bigint NOT NULL,
  created_ms bigint NOT NULL,
  done_ms bigint,
  last_error text
);
CREATE INDEX IF NOT EXISTS gw_webhooks_due ON gw_webhooks (next_ms) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS gw_leases (signer text PRIMARY KEY, holder text NOT NULL, expires timestamptz NOT NULL);
ALTER TABLE gw_orders ADD COLUMN IF NOT EXISTS memo text;
ALTER TABLE gw_orders ADD COLUMN IF NOT EXISTS sale text;
`;
