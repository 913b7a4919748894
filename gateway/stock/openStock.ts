import type { Address, Hex } from "viem";
import type { Sql, Store } from "../../indexer/store/types.js";
import { createSecretBox } from "../createSecretBox.js";
import { GatewayConfigError } from "../errors.js";
import { IntervalSet } from "../holdings/IntervalSet.js";
import { openCard, type Card } from "./sealCard.js";
import { STOCK_SCHEMA } from "./schema.js";

/** Parameters of {@link openStock}. */
export type OpenStockParameters = {
  store: Store;
  /** The gateway's signing account (the stock's owner). */
  account: Address;
  /** KEYTRAIL_GATEWAY_SECRETS_KEY: needed (and checked) when the account has stock. */
  secretsKey: string | undefined;
};

/** The gateway's stock of card secrets, as read at start. */
export type Stock = {
  /** Keys in stock and not quarantined, per batch with stock (read at start: an import is seen at the next start). */
  readonly stocked: ReadonlyMap<Hex, IntervalSet>;
  /**
   * Whether any of `indices` of `batchId` is in stock (its card goes out with its order), read from the
   * store, not from the start-up snapshot: a replica started before an import still sees it.
   */
  holdsAny(batchId: Hex, indices: readonly number[]): Promise<boolean>;
  /**
   * Keeps in `free` only stocked keys of stocked batches: an order on a batch in stock always gets
   * card secrets for all its keys. Batches without stock are left as they are (indices only).
   */
  restrict(free: Map<Hex, IntervalSet>): void;
  /** The cards of an order's keys in stock (read from the store), in index order; null when none is. */
  cardsOf(batchId: Hex, indices: readonly number[]): Promise<Card[] | null>;
  /**
   * Marks delivered keys of an order that failed as quarantined (never allocated again: their
   * allocations are kept), inside the caller's database transaction `sql` when given.
   */
  quarantine(batchId: Hex, indices: readonly number[], reason: string, sql?: Sql): Promise<void>;
};

/**
 * Opens the stock at the gateway's start: creates its table, reads which keys are in stock, and
 * checks that KEYTRAIL_GATEWAY_SECRETS_KEY opens it (one row is opened): a missing or wrong key stops
 * the gateway at start with a clear error, not at its first order.
 *
 * @param parameters - see {@link OpenStockParameters}.
 * @returns the {@link Stock}.
 * @throws {GatewayConfigError} when the account has stock and the key is missing or wrong.
 * @example
 * const stock = await openStock({ store, account: account.address, secretsKey: process.env.KEYTRAIL_GATEWAY_SECRETS_KEY });
 */
export async function openStock(parameters: OpenStockParameters): Promise<Stock> {
  const { store } = parameters;
  const signer = parameters.account.toLowerCase();
  const box = createSecretBox(parameters.secretsKey);
  await store.exec(STOCK_SCHEMA);
  const rows = await store.query<{ batch_id: Hex; lo: number; hi: number }>(
    // runs of consecutive indices (gaps and islands): one row per run, not per key
    `SELECT batch_id, min(idx) AS lo, max(idx) AS hi FROM (
       SELECT batch_id, idx, idx - row_number() OVER (PARTITION BY batch_id ORDER BY idx) AS grp
       FROM gw_stock WHERE signer = $1 AND quarantined_ms IS NULL) r
     GROUP BY batch_id, grp ORDER BY batch_id, lo`,
    [signer],
  );
  const stocked = new Map<Hex, IntervalSet>();
  // every batch with stock, quarantined rows included: its orders keep their cards after a restart
  for (const b of await store.query<{ batch_id: Hex }>("SELECT DISTINCT batch_id FROM gw_stock WHERE signer = $1", [
    signer,
  ]))
    stocked.set(b.batch_id, new IntervalSet());
  for (const r of rows) {
    let s = stocked.get(r.batch_id);
    if (!s) stocked.set(r.batch_id, (s = new IntervalSet()));
    s.add(Number(r.lo), Number(r.hi) + 1);
  }
  const [probe] = await store.query<{ batch_id: Hex; idx: number; card: string }>(
    "SELECT batch_id, idx, card FROM gw_stock WHERE signer = $1 LIMIT 1",
    [signer],
  );
  if (probe) {
    if (!box.encrypted)
      throw new GatewayConfigError(
        `The store holds card secrets of ${parameters.account} (stock) but KEYTRAIL_GATEWAY_SECRETS_KEY is not set: ` +
          "set the key they were imported with.",
      );
    openCard(box, signer, probe.batch_id, Number(probe.idx), probe.card); // throws on a wrong key
  }

  return {
    stocked,
    async holdsAny(batchId, indices) {
      const got = await store.query(
        "SELECT 1 FROM gw_stock WHERE signer = $1 AND batch_id = $2 AND idx = ANY($3::bigint[]) LIMIT 1",
        [signer, batchId.toLowerCase(), [...indices]],
      );
      return got.length > 0;
    },
    restrict(free) {
      for (const [batchId, s] of stocked) {
        const pool = free.get(batchId);
        if (!pool) continue;
        // remove every gap of the stock (below, between and above its runs) from the pool
        let from = 0;
        for (const [lo, hi] of s.ranges) {
          pool.remove(from, lo);
          from = hi;
        }
        pool.remove(from, Number.MAX_SAFE_INTEGER);
      }
    },
    async cardsOf(batchId, indices) {
      const b = batchId.toLowerCase() as Hex;
      const got = await store.query<{ idx: number; card: string }>(
        "SELECT idx, card FROM gw_stock WHERE signer = $1 AND batch_id = $2 AND idx = ANY($3::bigint[]) ORDER BY idx",
        [signer, b, [...indices]],
      );
      return got.length === 0 ? null : got.map((r) => openCard(box, signer, b, Number(r.idx), r.card));
    },
    async quarantine(batchId, indices, reason, sql = store) {
      const b = batchId.toLowerCase() as Hex;
      await sql.query(
        `UPDATE gw_stock SET quarantined_ms = $4, quarantine_reason = $5
         WHERE signer = $1 AND batch_id = $2 AND idx = ANY($3::bigint[]) AND quarantined_ms IS NULL`,
        [signer, b, [...indices], Date.now(), reason],
      );
      const s = stocked.get(b);
      for (const i of indices) s?.remove(i, i + 1);
    },
  };
}
