import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type {
  ExportBatchDetail,
  ExportBatchSummary,
  ExportCustody,
  ExportCustodyShard,
  ExportIndex,
  ExportPartyDetail,
  ExportPartySummary,
  ExportProofIndex,
} from "../../../lib/formats/export.ts";

declare const __KEYTRAIL_EXPORT_DIR__: string;

/** The static export as the pages need it at build time (docs/INDEXER.md, "Static export"). */
export type PortalExport = {
  index: ExportIndex | undefined;
  batches: ExportBatchDetail[];
  parties: ExportPartyDetail[];
  custody: Map<string, ExportCustody>;
  proofs: ExportProofIndex | undefined;
  audit: Record<string, unknown> | undefined;
};

let cached: PortalExport | undefined;

function readJson<T>(dir: string, rel: string, check: (v: unknown) => boolean): T | undefined {
  const path = join(dir, rel);
  if (!existsSync(path)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(
      `Invalid export file ${rel}: ${(error as Error).message}. Expected JSON written by \`keytrail export\`.`,
    );
  }
  if (!check(v))
    throw new Error(`Invalid export file ${rel}: unexpected shape. Expected the layout of docs/INDEXER.md.`);
  return v as T;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const BATCH_ID = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;

/**
 * A batch's custody events from its shards (`batches/<id>/custody/<n>.json`), for an export that
 * left out the whole-batch file (large batches): every hop once, in chain order. Intervals are
 * not joined (the batch page lists hops only).
 */
function readCustodyShards(dir: string, batchId: string, count: number): ExportCustody | undefined {
  const folder = join(dir, "batches", batchId, "custody");
  if (!existsSync(folder)) return undefined;
  const events = new Map<string, ExportCustody["events"][number]>();
  for (const name of readdirSync(folder).filter((n) => /^\d+\.json$/.test(n))) {
    const shard = readJson<ExportCustodyShard>(
      dir,
      `batches/${batchId}/custody/${name}`,
      (v) => isObj(v) && Array.isArray(v.events) && Array.isArray(v.intervals),
    );
    for (const e of shard?.events ?? []) events.set(e.checkpoint, e);
  }
  const sorted = [...events.values()].sort((a, b) => (a.checkpoint < b.checkpoint ? -1 : 1));
  return { batchId: batchId as ExportCustody["batchId"], count, events: sorted, intervals: [] };
}

/**
 * Reads the configured static export at build time; an empty export when none is configured,
 * so the site still builds (pages then show "no data yet").
 *
 * @returns the export
 * @throws Error naming the file when a file is not valid JSON or not the expected shape
 * @example
 * const { batches } = readExport();
 */
export function readExport(): PortalExport {
  if (cached) return cached;
  const dir = __KEYTRAIL_EXPORT_DIR__;
  cached = { index: undefined, batches: [], parties: [], custody: new Map(), proofs: undefined, audit: undefined };
  if (!dir) return cached;
  cached.index = readJson<ExportIndex>(dir, "index.json", (v) => isObj(v) && typeof v.chainId === "number");
  const list = readJson<{ batches: ExportBatchSummary[] }>(
    dir,
    "batches.json",
    (v) => isObj(v) && Array.isArray(v.batches),
  );
  for (const b of list?.batches ?? []) {
    if (!isObj(b) || typeof b.batchId !== "string" || !BATCH_ID.test(b.batchId))
      throw new Error(
        `Invalid export file batches.json: batch id ${JSON.stringify((b as { batchId?: unknown }).batchId)} is not 0x + 64 lower-case hex.`,
      );
    const detail = readJson<ExportBatchDetail>(dir, `batches/${b.batchId}.json`, isObj);
    cached.batches.push({
      holderRanges: [],
      frozen: [],
      redeemedWords: [],
      custodyShardSize: 0,
      ...b,
      ...detail,
    });
    const custody =
      readJson<ExportCustody>(
        dir,
        `batches/${b.batchId}/custody.json`,
        (v) => isObj(v) && Array.isArray(v.events) && Array.isArray(v.intervals),
      ) ?? readCustodyShards(dir, b.batchId, b.count);
    if (custody) cached.custody.set(b.batchId, custody);
  }
  const parties = readJson<{ parties: ExportPartySummary[] }>(
    dir,
    "parties.json",
    (v) => isObj(v) && Array.isArray(v.parties),
  );
  for (const p of parties?.parties ?? []) {
    if (!isObj(p) || typeof p.address !== "string" || !ADDRESS.test(p.address))
      throw new Error(
        `Invalid export file parties.json: address ${JSON.stringify((p as { address?: unknown }).address)} is not 0x + 40 lower-case hex.`,
      );
    const detail = readJson<ExportPartyDetail>(dir, `parties/${p.address}.json`, isObj);
    cached.parties.push({
      holdingsByBatch: [],
      authorizationsGiven: [],
      authorizationsReceived: [],
      redeemers: [],
      rekeys: [],
      flowsIn: [],
      flowsOut: [],
      ...p,
      ...detail,
    });
  }
  cached.proofs = readJson<ExportProofIndex>(dir, "proofs/index.json", (v) => isObj(v) && Array.isArray(v.shards));
  cached.audit = readJson<Record<string, unknown>>(dir, "audit/latest.json", isObj);
  return cached;
}
