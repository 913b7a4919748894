import type { Address, Hex } from "viem";
import { canonicalizeSegments } from "../../lib/state/v1/canonicalizeSegments.js";
import type { LedgerSnapshot } from "../../lib/state/v1/types.js";
import type { Sql } from "../store/types.js";
import type { AuthorizationRow, BatchRow } from "./rows.js";

/**
 * Builds the lib/state `LedgerSnapshot` of the ledger at the end of `block` from the store's
 * versioned rows (a row is visible at B when from_block <= B < to_block).
 *
 * @param sql - the store.
 * @param parameters.block - the block (at most the cursor).
 * @returns the canonical snapshot, ready for `computeStateDigest`.
 * @example
 * const digest = computeStateDigest(await buildSnapshot(store, { block: cursor.number }));
 */
export async function buildSnapshot(sql: Sql, parameters: { block: number }): Promise<LedgerSnapshot> {
  const b = parameters.block;
  const at = "from_block <= $1 AND (to_block IS NULL OR to_block > $1)";
  const parties = await sql.query<{
    address: Address;
    kind: number;
    suspended: boolean;
    accredited_until: string;
    profile_hash: Hex;
    profile_uri: string;
  }>(
    `SELECT address, kind, suspended, accredited_until::text AS accredited_until, profile_hash, profile_uri FROM kt_parties WHERE ${at} ORDER BY address`,
    [b],
  );
  const auths = await sql.query<AuthorizationRow>(
    `SELECT supplier, distributor, tier, expires_at::text AS expires_at, certificate_hash FROM kt_authorizations WHERE ${at} ORDER BY supplier, distributor`,
    [b],
  );
  const redeemers = await sql.query<{ supplier: Address; redeemer: Address }>(
    `SELECT supplier, redeemer FROM kt_redeemers WHERE ${at} ORDER BY supplier, redeemer`,
    [b],
  );
  const batches = await sql.query<BatchRow>(
    `SELECT batch_id, supplier, label, root, count, product_id, face_value::text AS face_value, currency, expires_at::text AS expires_at,
            restricted, manifest_hash, manifest_uri FROM kt_batches WHERE block <= $1 ORDER BY batch_id`,
    [b],
  );
  const segs = await sql.query<{ batch_id: Hex; seg_start: number; seg_end: number; holder: Address; frozen: number }>(
    `SELECT b.batch_id, s.seg_start, s.seg_end, s.holder, s.frozen FROM kt_segments s JOIN kt_batches b USING (batch_no)
      WHERE s.from_block <= $1 AND (s.to_block IS NULL OR s.to_block > $1) ORDER BY b.batch_id, s.seg_start`,
    [b],
  );
  const words = await sql.query<{ batch_id: Hex; word: number; mask: string }>(
    `SELECT b.batch_id, w.word, w.mask FROM kt_redemption_words w JOIN kt_batches b USING (batch_no)
      WHERE w.from_block <= $1 AND (w.to_block IS NULL OR w.to_block > $1) ORDER BY b.batch_id, w.word`,
    [b],
  );
  return {
    version: 1,
    parties: parties.map((p) => ({
      address: p.address,
      kind: p.kind,
      suspended: p.suspended,
      accreditedUntil: BigInt(p.accredited_until),
      profileHash: p.profile_hash,
      profileURI: p.profile_uri,
    })),
    authorizations: auths.map((a) => ({
      supplier: a.supplier,
      distributor: a.distributor,
      tier: a.tier,
      expiresAt: BigInt(a.expires_at),
      certificateHash: a.certificate_hash,
    })),
    redeemers: redeemers.map((r) => ({ supplier: r.supplier, redeemer: r.redeemer })),
    batches: batches.map((x) => ({
      batchId: x.batch_id,
      supplier: x.supplier,
      label: x.label,
      root: x.root,
      count: BigInt(x.count),
      productId: x.product_id,
      faceValue: BigInt(x.face_value),
      currency: x.currency,
      expiresAt: BigInt(x.expires_at),
      restricted: x.restricted,
      manifestHash: x.manifest_hash,
      manifestURI: x.manifest_uri,
    })),
    segments: canonicalizeSegments(
      segs.map((s) => ({
        batchId: s.batch_id,
        start: BigInt(s.seg_start),
        end: BigInt(s.seg_end),
        holder: s.holder,
        frozenReason: s.frozen,
      })),
    ),
    redemptions: words
      .map((w) => ({ batchId: w.batch_id, wordIndex: BigInt(w.word), mask: BigInt(w.mask) }))
      .filter((w) => w.mask !== 0n),
  };
}
