import type { Address, Hex } from "viem";
import { PARTY_KIND_NAMES } from "../../lib/parties/partyKinds.js";
import { canonicalizeSegments } from "../../lib/state/v1/canonicalizeSegments.js";
import type { ExportBatchDetail, ExportPartyDetail, ExportPartySummary } from "../../lib/formats/export.js";
import type { LedgerSnapshot, SnapshotSegment } from "../../lib/state/v1/types.js";
import { REVOCATION_REASONS } from "../../lib/verify/revocationReasons.js";
import { AuditIndexerError } from "../errors.js";

async function get<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" } });
  } catch (e) {
    throw new AuditIndexerError(`Indexer API ${url} is unreachable.`, { cause: e, retryable: true });
  }
  if (!res.ok)
    throw new AuditIndexerError(`Indexer API ${url} answered HTTP ${res.status}.`, {
      retryable: res.status >= 500 || res.status === 429,
    });
  return (await res.json()) as T;
}

async function all<T>(base: string, path: string): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await get<{ items: T[]; total: number }>(`${base}${path}?limit=500&offset=${offset}`);
    out.push(...page.items);
    if (page.items.length === 0 || out.length >= page.total) return out;
  }
}

const ascii3 = (s: string): Hex =>
  `0x${[...s.padEnd(3, "\0").slice(0, 3)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("")}` as Hex;

/**
 * Rebuilds an indexer's version 1 `LedgerSnapshot` (lib/state/v1) from its read-only HTTP API
 * (docs/INDEXER.md, the version 1 API: one frozen reason per range, no sales): parties
 * and their authorisations and redeemers, batches with holder ranges, frozen ranges and
 * redemption words. Used to name the first divergence when only the API is reachable. Retries
 * when the indexer's cursor moves while reading.
 *
 * @param url The API base, e.g. http://127.0.0.1:8787.
 * @returns The cursor block and the snapshot at it.
 * @throws AuditIndexerError when the API is unreachable or keeps moving.
 * @example
 * const { block, snapshot } = await readSnapshotFromApi("http://127.0.0.1:8787");
 */
export async function readSnapshotFromApi(url: string): Promise<{ block: bigint; snapshot: LedgerSnapshot }> {
  const base = url.replace(/\/+$/, "");
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await get<{ block: number }>(`${base}/digest`);
    const parties = await all<ExportPartySummary>(base, "/parties");
    const authorizations: LedgerSnapshot["authorizations"] = [];
    const redeemers: LedgerSnapshot["redeemers"] = [];
    for (const p of parties) {
      if (p.kind !== "supplier") continue;
      const d = await get<
        Partial<Pick<ExportPartyDetail, "authorizationsGiven">> & { redeemers?: (Address | { redeemer: Address })[] }
      >(`${base}/parties/${p.address}`);
      for (const a of d.authorizationsGiven ?? [])
        authorizations.push({
          supplier: a.supplier,
          distributor: a.distributor,
          tier: a.tier,
          expiresAt: BigInt(a.expiresAt),
          certificateHash: a.certificateHash,
        });
      for (const r of d.redeemers ?? [])
        redeemers.push({ supplier: p.address, redeemer: typeof r === "string" ? r : r.redeemer });
    }
    const list = await all<{ batchId: Hex }>(base, "/batches");
    const batches: LedgerSnapshot["batches"] = [];
    const segments: SnapshotSegment[] = [];
    const redemptions: LedgerSnapshot["redemptions"] = [];
    for (const { batchId } of list) {
      const b = await getWholeBatch(base, batchId);
      batches.push({
        batchId: b.batchId,
        supplier: b.supplier,
        label: b.label,
        root: b.root,
        count: BigInt(b.count),
        productId: b.productId,
        faceValue: BigInt(b.faceValue),
        currency: /^0x[0-9a-fA-F]{6}$/.test(b.currency) ? (b.currency as Hex) : ascii3(b.currency),
        expiresAt: BigInt(b.expiresAt),
        restricted: b.restricted,
        manifestHash: b.manifestHash,
        manifestURI: b.manifestURI,
      });
      const frozen = [...b.frozen].sort((x, y) => x.start - y.start);
      for (const h of b.holderRanges) {
        for (const [start, end] of h.ranges) {
          let pos = start;
          for (const f of frozen) {
            if (f.end <= pos || f.start >= end) continue;
            if (f.start > pos)
              segments.push({
                batchId: b.batchId,
                start: BigInt(pos),
                end: BigInt(f.start),
                holder: h.holder,
                frozenReason: 0,
              });
            const fe = Math.min(f.end, end);
            segments.push({
              batchId: b.batchId,
              start: BigInt(Math.max(f.start, pos)),
              end: BigInt(fe),
              holder: h.holder,
              frozenReason: Math.max(0, (REVOCATION_REASONS as readonly string[]).indexOf(f.reason)),
            });
            pos = fe;
          }
          if (pos < end)
            segments.push({
              batchId: b.batchId,
              start: BigInt(pos),
              end: BigInt(end),
              holder: h.holder,
              frozenReason: 0,
            });
        }
      }
      for (const w of b.redeemedWords)
        redemptions.push({ batchId: b.batchId, wordIndex: BigInt(w.word), mask: BigInt(w.mask) });
    }
    const after = await get<{ block: number }>(`${base}/digest`);
    if (after.block !== before.block) continue;
    return {
      block: BigInt(after.block),
      snapshot: {
        version: 1,
        parties: parties.map((p) => ({
          address: p.address,
          kind: Math.max(0, PARTY_KIND_NAMES.indexOf(p.kind)),
          suspended: p.suspended,
          accreditedUntil: BigInt(p.accreditedUntil),
          profileHash: p.profileHash,
          profileURI: p.profileURI,
        })),
        authorizations,
        redeemers,
        batches,
        segments: canonicalizeSegments(segments),
        redemptions,
      },
    };
  }
  throw new AuditIndexerError(`Indexer API ${base} kept advancing while its state was read.`, {
    details: "Retry, or compare with --indexer-db at a fixed block.",
    retryable: true,
  });
}

type BatchPage = ExportBatchDetail & {
  offset?: number;
  limit?: number;
  totals?: { holderRanges: number; frozen: number; redeemedWords: number };
  holderRanges: (ExportBatchDetail["holderRanges"][number] & { rangeCount?: number })[];
};

/**
 * `/batches/:id` followed page by page (the API pages its holder, frozen and redeemed lists), merged
 * into one detail. A holder whose ranges the API cuts (`rangeCount` above the ranges sent) cannot be
 * read in full over the API: that is an error naming it, never a silently shorter snapshot.
 */
async function getWholeBatch(base: string, batchId: Hex): Promise<ExportBatchDetail> {
  const first = await get<BatchPage>(`${base}/batches/${batchId}`);
  const merged: BatchPage = {
    ...first,
    holderRanges: [...first.holderRanges],
    frozen: [...first.frozen],
    redeemedWords: [...first.redeemedWords],
  };
  const totals = first.totals;
  const limit = first.limit;
  if (totals && limit) {
    const most = Math.max(totals.holderRanges, totals.frozen, totals.redeemedWords);
    for (let offset = (first.offset ?? 0) + limit; offset < most; offset += limit) {
      const p = await get<BatchPage>(`${base}/batches/${batchId}?limit=${limit}&offset=${offset}`);
      merged.holderRanges.push(...p.holderRanges);
      merged.frozen.push(...p.frozen);
      merged.redeemedWords.push(...p.redeemedWords);
    }
  }
  for (const h of merged.holderRanges) {
    if (h.rangeCount !== undefined && h.rangeCount > h.ranges.length)
      throw new AuditIndexerError(
        `Indexer API ${base}/batches/${batchId} sends ${h.ranges.length} of holder ${h.holder}'s ${h.rangeCount} ranges.`,
        { details: "Compare with the indexer's database instead (keytrail audit --indexer-db)." },
      );
  }
  return merged;
}
