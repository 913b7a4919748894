import type { Hex } from "viem";
import type { AnyLedgerSnapshot } from "./compareSnapshots.js";
import { AuditIndexerError } from "../errors.js";

/** Where the indexer to compare with lives. */
export type IndexerSource =
  | { kind: "db"; dataDir?: string | undefined; databaseUrl?: string | undefined }
  | { kind: "api"; url: string }
  | { kind: "snapshot"; snapshot: AnyLedgerSnapshot; block: bigint; label?: string };

/** What the indexer says: its block, its digest, and (when it can be read) its full snapshot. */
export type IndexerState = {
  label: string;
  block: bigint;
  digest: Hex | null;
  /** Version 2 for a KeyLedger v2 indexer, version 1 for a version 1 ledger's. */
  snapshot: AnyLedgerSnapshot | null;
};

async function getJson(url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" } });
  } catch (e) {
    throw new AuditIndexerError(`Indexer API ${url} is unreachable.`, {
      cause: e,
      retryable: true,
      details: "Start it with `keytrail serve`, or pass --indexer-db.",
    });
  }
  if (!res.ok)
    throw new AuditIndexerError(`Indexer API ${url} answered HTTP ${res.status}.`, {
      retryable: res.status >= 500 || res.status === 429,
    });
  return res.json();
}

const num = (v: unknown): bigint | null =>
  typeof v === "number" || typeof v === "string" || typeof v === "bigint" ? BigInt(v) : null;

/**
 * Reads the indexer's state: from its database (PGlite folder or PostgreSQL URL) through the
 * indexer's own query layer (`buildSnapshot` at its cursor), from its HTTP API (`/status` and
 * `/digest`: digest only), or from a snapshot given directly.
 *
 * @param source Where the indexer is.
 * @returns Its block, digest and snapshot (null when only the digest is available).
 * @throws AuditIndexerError when the indexer cannot be read or has indexed nothing.
 * @example
 * const s = await readIndexerState({ kind: "db", dataDir: ".keytrail/db" });
 */
export async function readIndexerState(source: IndexerSource): Promise<IndexerState> {
  if (source.kind === "snapshot")
    return { label: source.label ?? "snapshot", block: source.block, digest: null, snapshot: source.snapshot };
  if (source.kind === "api") {
    const base = source.url.replace(/\/+$/, "");
    const d = (await getJson(`${base}/digest`)) as Record<string, unknown>;
    const block = num(d.block) ?? num((d.block as Record<string, unknown> | undefined)?.number);
    if (block === null || typeof d.digest !== "string") {
      throw new AuditIndexerError(`Indexer API ${base}/digest answered without a block and a digest.`, {
        details: `Got ${JSON.stringify(d).slice(0, 200)}.`,
      });
    }
    return { label: base, block, digest: d.digest.toLowerCase() as Hex, snapshot: null };
  }
  const { openStore } = await import("../../indexer/store/openStore.js");
  const { readCursor } = await import("../../indexer/store/readCursor.js");
  const { buildSnapshot } = await import("../../indexer/query/buildSnapshot.js");
  const store = await openStore({ databaseUrl: source.databaseUrl, dataDir: source.dataDir });
  try {
    const cursor = await readCursor(store);
    if (!cursor)
      throw new AuditIndexerError(
        `The indexer database ${source.databaseUrl ? "(DATABASE_URL)" : source.dataDir} has indexed nothing yet.`,
      );
    const snapshot: AnyLedgerSnapshot = await buildSnapshot(store, { block: Number(cursor.number) });
    return {
      label: source.databaseUrl ? "DATABASE_URL" : (source.dataDir ?? "indexer database"),
      block: BigInt(cursor.number),
      digest: null,
      snapshot,
    };
  } finally {
    await store.close();
  }
}
