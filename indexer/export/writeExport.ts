import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Address, Hex } from "viem";
import { BaseError } from "../../lib/errors/BaseError.js";
import type { BatchManifest } from "../../lib/formats/manifest.js";
import { getStateDigest } from "../query/getStateDigest.js";
import { getFlows } from "../query/getFlows.js";
import { getBatch } from "../query/getBatch.js";
import { getParty } from "../query/getParty.js";
import { listBatches } from "../query/listBatches.js";
import { listParties } from "../query/listParties.js";
import { readCursor } from "../store/readCursor.js";
import { readMeta } from "../store/readMeta.js";
import type { Sql } from "../store/types.js";
import { buildCustody } from "./buildCustody.js";
import { buildCustodyShards } from "./buildCustodyShards.js";
import { DEFAULT_CUSTODY_SHARD_SIZE } from "../../lib/formats/export.js";
import type {
  ExportBatchSummary,
  ExportIndex,
  ExportPartySummary,
  ExportProofIndex,
} from "../../lib/formats/export.js";

/** Counters of one export. */
export type WriteExportResult = {
  dir: string;
  block: number;
  digest: Hex;
  batches: number;
  parties: number;
  files: number;
  shardsCopied: number;
  /** Custody shard files written (`batches/<batchId>/custody/<shard>.json`). */
  custodyShards: number;
};

/** `batches/<batchId>/custody.json` (whole batch, first export format) is written only up to this size. */
export const MAX_WHOLE_CUSTODY_BYTES = 256 * 1024;

/** A sealed batch folder's public manifest (only the fields the export needs; unchecked, so each may be missing). */
type Manifest = Partial<Pick<BatchManifest, "batchId" | "root" | "shardSize" | "count">>;

/**
 * Writes the static export (layout: docs/INDEXER.md, types: lib/formats/export.ts) into `dir`.
 * The files are written to `<dir>.partial` first and moved into place at the end, so a reader
 * never sees half an export. Deterministic for a given cursor block.
 *
 * @param sql - the store.
 * @param parameters.dir - output folder (replaced).
 * @param parameters.custodyShardSize - keys per custody shard (default 4,096; recorded in each batch's file).
 * @param parameters.shardsFrom - sealed batch folders whose `shards/*.bin` are copied when their manifest matches an indexed batch (id and root).
 * @returns what was written.
 * @example
 * await writeExport(store, { dir: "out/export" });
 */
export async function writeExport(
  sql: Sql,
  parameters: { dir: string; shardsFrom?: readonly string[] | undefined; custodyShardSize?: number | undefined },
): Promise<WriteExportResult> {
  const meta = await readMeta(sql);
  const cursor = await readCursor(sql);
  if (!meta || !cursor)
    throw new BaseError("Nothing to export: the store has not indexed anything yet.", {
      details: "Run `keytrail index` first.",
    });
  const tmp = `${parameters.dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "batches"), { recursive: true });
  mkdirSync(join(tmp, "parties"), { recursive: true });
  mkdirSync(join(tmp, "proofs"), { recursive: true });
  let files = 0;
  const write = (rel: string, value: unknown) => {
    const path = join(tmp, rel);
    writeFileSync(path, `${JSON.stringify(value)}\n`);
    files++;
  };

  const batches: ExportBatchSummary[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await listBatches(sql, { limit: 500, offset });
    batches.push(...page.items);
    if (page.items.length < 500) break;
  }
  const custodyShardSize = parameters.custodyShardSize ?? DEFAULT_CUSTODY_SHARD_SIZE;
  let custodyShards = 0;
  for (const b of batches) {
    write(join("batches", `${b.batchId}.json`), await getBatch(sql, { batchId: b.batchId, custodyShardSize }));
    mkdirSync(join(tmp, "batches", b.batchId, "custody"), { recursive: true });
    const custody = (await buildCustody(sql, { batchId: b.batchId }))!;
    // The whole-batch file stays for readers of the first export format, but only while small.
    const whole = `${JSON.stringify(custody)}\n`;
    if (whole.length <= MAX_WHOLE_CUSTODY_BYTES) {
      writeFileSync(join(tmp, "batches", b.batchId, "custody.json"), whole);
      files++;
    }
    for (const shard of await buildCustodyShards(sql, { custody, shardSize: custodyShardSize })) {
      write(join("batches", b.batchId, "custody", `${shard.shard}.json`), shard);
      custodyShards++;
    }
  }
  const parties: ExportPartySummary[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await listParties(sql, { limit: 500, offset });
    parties.push(...page.items);
    if (page.items.length < 500) break;
  }
  for (const p of parties)
    write(
      join("parties", `${p.address}.json`),
      await getParty(sql, { address: p.address as Address, now: cursor.timestamp }),
    );
  write("batches.json", { batches });
  write("parties.json", { parties });
  write("flows.json", { flows: await getFlows(sql, { limit: 1_000_000 }) });

  // Proof shards from sealed batch folders.
  const sealed = new Map<string, { dir: string; manifest: Manifest }>();
  for (const d of parameters.shardsFrom ?? []) {
    const mf = join(d, "manifest.json");
    if (!existsSync(mf))
      throw new BaseError(`--shards-from ${d}: no manifest.json there.`, {
        details: "Expected a sealed batch folder (manifest.json, shards/<s>.bin).",
      });
    const manifest = JSON.parse(readFileSync(mf, "utf8")) as Manifest;
    if (manifest.batchId) sealed.set(manifest.batchId.toLowerCase(), { dir: d, manifest });
  }
  let shardsCopied = 0;
  const proofs: ExportProofIndex = { shards: [] };
  for (const b of batches) {
    const s = sealed.get(b.batchId);
    let path: string | null = null;
    let shardSize: number | null = null;
    let shardCount: number | null = null;
    if (s && s.manifest.root?.toLowerCase() === b.root && existsSync(join(s.dir, "shards"))) {
      const names = readdirSync(join(s.dir, "shards")).filter((n) => /^\d+\.bin$/.test(n));
      mkdirSync(join(tmp, "proofs", b.batchId), { recursive: true });
      for (const n of names) copyFileSync(join(s.dir, "shards", n), join(tmp, "proofs", b.batchId, n));
      shardsCopied += names.length;
      path = `proofs/${b.batchId}/`;
      shardSize = s.manifest.shardSize ?? null;
      shardCount = names.length;
    }
    proofs.shards.push({
      batchId: b.batchId,
      root: b.root,
      count: b.count,
      shardSize,
      shardCount,
      path,
      manifestURI: b.manifestURI,
    });
  }
  write(join("proofs", "index.json"), proofs);

  const digest = await getStateDigest(sql, { block: cursor.number });
  const transfers = (await sql.query<{ n: number }>("SELECT count(*)::int8 AS n FROM kt_transfers"))[0]?.n ?? 0;
  const index: ExportIndex = {
    formatVersion: 1,
    chainId: meta.chainId,
    ledger: meta.ledger as Address,
    block: { number: cursor.number, hash: cursor.hash, timestamp: cursor.timestamp },
    digest: digest!.digest,
    counts: { batches: batches.length, parties: parties.length, transfers },
  };
  write("index.json", index);
  rmSync(parameters.dir, { recursive: true, force: true });
  renameSync(tmp, parameters.dir);
  return {
    dir: parameters.dir,
    block: cursor.number,
    digest: index.digest,
    batches: batches.length,
    parties: parties.length,
    files,
    shardsCopied,
    custodyShards,
  };
}
