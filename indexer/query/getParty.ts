import type { Address, Hex } from "viem";
import type { ExportAuthorization, ExportPartyDetail } from "../../lib/formats/export.js";
import type { Sql } from "../store/types.js";
import { getFlows } from "./getFlows.js";
import { getHoldings } from "./getHoldings.js";
import { listParties } from "./listParties.js";
import type { AuthorizationRow } from "./rows.js";

/**
 * One party in full: registration, holdings per batch (up to `holdingsLimit` batches),
 * authorisations given and received (valid = not expired at `now`), redeemers it delegated,
 * its re-keys (earlier and later accounts of its id), and aggregated flows in and out.
 *
 * @param sql - the store.
 * @param parameters.address - the party.
 * @param parameters.now - Unix seconds for authorisation validity (default: the cursor block's time).
 * @param parameters.holdingsLimit - batches of holdings to include (default 1,000).
 * @returns the party, or null when it is not registered.
 * @example
 * const p = await getParty(store, { address });
 */
export async function getParty(
  sql: Sql,
  parameters: { address: Address; now?: number | undefined; holdingsLimit?: number | undefined },
): Promise<ExportPartyDetail | null> {
  const address = parameters.address.toLowerCase() as Address;
  const { items } = await listParties(sql, { address, limit: 1, offset: 0 });
  const summary = items[0];
  if (!summary) return null;
  let now = parameters.now;
  if (now === undefined) {
    const c = await sql.query<{ t: number }>("SELECT updated_block_time AS t FROM kt_cursor WHERE id = 1");
    now = c[0]?.t ?? 0;
  }
  const auths = await sql.query<AuthorizationRow>(
    `SELECT supplier, distributor, tier, expires_at::text AS expires_at, certificate_hash FROM kt_authorizations
      WHERE to_block IS NULL AND (supplier = $1 OR distributor = $1) ORDER BY supplier, distributor`,
    [address],
  );
  const toAuth = (a: (typeof auths)[number]): ExportAuthorization => ({
    supplier: a.supplier,
    distributor: a.distributor,
    tier: a.tier,
    expiresAt: Number(a.expires_at),
    certificateHash: a.certificate_hash,
    valid: a.tier !== 0 && (a.expires_at === "0" || BigInt(now) <= BigInt(a.expires_at)),
  });
  const redeemers = await sql.query<{ redeemer: Address }>(
    "SELECT redeemer FROM kt_redeemers WHERE to_block IS NULL AND supplier = $1 ORDER BY redeemer",
    [address],
  );
  const rekeys = await sql.query<{ old_addr: Address; new_addr: Address; block: number; timestamp: number; tx: Hex }>(
    `SELECT old_addr, new_addr, block, timestamp, tx FROM kt_rekeys
      WHERE party_id = (SELECT party_id FROM kt_parties WHERE address = $1 AND to_block IS NULL LIMIT 1) AND party_id <> 0
      ORDER BY block, log_index`,
    [address],
  );
  const holdings = await getHoldings(sql, { party: address, limit: parameters.holdingsLimit ?? 1000, offset: 0 });
  return {
    ...summary,
    holdingsByBatch: holdings.items,
    authorizationsGiven: auths.filter((a) => a.supplier === address).map(toAuth),
    authorizationsReceived: auths.filter((a) => a.distributor === address).map(toAuth),
    redeemers: redeemers.map((r) => r.redeemer),
    rekeys: rekeys.map((r) => ({ from: r.old_addr, to: r.new_addr, block: r.block, timestamp: r.timestamp, tx: r.tx })),
    flowsIn: await getFlows(sql, { to: address, limit: 1000 }),
    flowsOut: await getFlows(sql, { from: address, limit: 1000 }),
  };
}
