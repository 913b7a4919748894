/**
 * The stock of card secrets the gateway delivers (docs/GATEWAY.md, "Delivering keys"), one row per key of
 * a batch the signing account holds. Idempotent: runs at every start and import.
 *
 * - `card`: the key's serial, PIN and salt, sealed with AES-256-GCM (createSecretBox) bound to
 *   (signer, batch, index): never stored in clear.
 * - `commitment`: the key's public commitment, as checked against the batch's on-chain root at import.
 * - `source`: the key file's name and line the row came from (no secret).
 * - `quarantined_ms`: set when an order that delivered the key failed on chain: the key stays allocated
 *   to that order and is never allocated again.
 */
export const STOCK_SCHEMA = `
CREATE TABLE IF NOT EXISTS gw_stock (
  signer text NOT NULL,
  batch_id text NOT NULL,
  idx bigint NOT NULL,
  card text NOT NULL,
  commitment text NOT NULL,
  source text NOT NULL,
  imported_ms bigint NOT NULL,
  quarantined_ms bigint,
  quarantine_reason text,
  PRIMARY KEY (signer, batch_id, idx)
);
`;
