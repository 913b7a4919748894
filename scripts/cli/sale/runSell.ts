import { createHash } from "node:crypto";
import { ledgerErrorContext } from "../chain/ledgerErrorContext.js";
import { chmodSync, writeFileSync } from "node:fs";
import { keccak256, type Hex } from "viem";
import type { OrderAnswer } from "../../../gateway/types.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { decodePayload } from "../../../lib/payload/decodePayload.js";
import { encodePayload } from "../../../lib/payload/encodePayload.js";
import { parsePayloadInput } from "../../../lib/payload/parsePayloadInput.js";
import { payloadUrl } from "../../../lib/payload/payloadUrl.js";
import { computeOrderRefHash } from "../../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../../lib/sale/computeReceiptCommitment.js";
import { readUrlRange } from "../batch/readUrlRange.js";
import { decodeLedgerError } from "../chain/decodeLedgerError.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { CliError, LedgerRefusedError } from "../errors.js";
import { acquireLock } from "../io/acquireLock.js";
import type { Output } from "../io/createOutput.js";
import { runEngineOrders, type EngineOrder } from "../orders/runEngineOrders.js";
import { formatRange } from "../parse/formatRange.js";
import { openJournal } from "../transfer/openJournal.js";
import type { SaleItemRecord, SaleRow } from "./saleTypes.js";

/** Parameters of {@link runSell}. */
export type RunSellParameters = {
  rows: readonly SaleRow[];
  /** What the rows came from, hashed into the journal (a changed order is refused on resume). */
  source: { name: string; bytes: Uint8Array };
  /** The journal file (secret material: it holds the buyers' receipt secrets). */
  journalPath: string;
  /** Where the buyer links are written (0600). */
  linksPath: string;
  /** Most keys per sell transaction; rows are split into orders of at most this many keys. */
  chunkSize: number;
  /** PGlite folder of the outbox (ignored when `databaseUrl` is set). */
  dataDir: string;
  /** PostgreSQL instead of PGlite (DATABASE_URL). */
  databaseUrl?: string | undefined;
  out: Output;
};

/** A sold key and its buyer link (undefined when the batch was named by id, not by its folder). */
export type SoldKey = SaleItemRecord & { url: string | undefined };

/** What a sell run did. */
export type RunSellReturnType = {
  /** Distinct sell transactions that carry the sale. */
  chunks: number;
  /** Orders placed by this run. */
  sent: number;
  /** Orders an earlier run had placed. */
  resumed: number;
  keys: SoldKey[];
};

/**
 * Sells keys on a KeyLedger v2 through the gateway's engine (runEngineOrders): each row, split into
 * parts of at most `chunkSize` keys, is placed as a sale order of exactly its keys under a stable
 * reference (saleReferenceOf) with the row's order reference and sale context; the engine draws a
 * receipt secret per key (lib/sale createReceiptSecret), keeps it in its outbox, and records the
 * orders in `sell` calls of at most `chunkSize` keys sharing one context. Each accepted order's keys
 * and secrets are also written to the sale journal (0600; refund --secret-from reads it). A run
 * killed at any moment and started again finds its orders in the outbox: same secrets, no key sold
 * twice, the same links.
 * Buyer links (payload v2: seller = the selling account, with the receipt secret) are built from
 * the batch folder's urls.csv and written to `linksPath` (0600); secrets never go to logs.
 *
 * @param ctx - an opened v2 ledger with a signer.
 * @param parameters - see {@link RunSellParameters}.
 * @returns counts and the sold keys with their links.
 * @example
 * const r = await runSell(ctx, { rows, source, journalPath, linksPath, chunkSize: 100, out });
 */
export async function runSell(ctx: LedgerContext, parameters: RunSellParameters): Promise<RunSellReturnType> {
  const { rows, source, out, journalPath } = parameters;
  const account = ctx.account!;
  const pc = ctx.publicClient;
  if (ctx.version !== 2)
    throw new CliError(`Ledger ${ctx.ledger} is a version 1 ledger: it records no sales.`, {
      details: "Sales need a KeyLedger v2 (keytrail deploy deploys one).",
    });
  const errCtx = ledgerErrorContext(ctx);
  for (const batchId of new Set(rows.map((r) => r.batchId))) {
    const line = rows.find((r) => r.batchId === batchId)!.line;
    try {
      const batch = (await readBatch(ctx, batchId))!;
      const outside = rows.find((r) => r.batchId === batchId && r.end > batch.count);
      if (outside)
        throw new CliError(
          `keys up to ${outside.end - 1n} are outside batch ${batchId} (indices 0-${batch.count - 1n}).`,
        );
    } catch (e) {
      throw new CliError(`${source.name}${line > 0 ? ` line ${line}` : ""}: ${(e as CliError).shortMessage}`, {
        cause: e,
      });
    }
  }
  const ordersHash = keccak256(source.bytes);
  /** Each order's row and number (its entry in the journal). */
  const partOf = new Map<string, { row: SaleRow; k: number }>();
  const release = acquireLock(`${journalPath}.lock`, journalPath);
  const journal = openJournal(journalPath, "keytrail-sale-journal");
  try {
    let chunkSize = parameters.chunkSize;
    if (journal.header) {
      const h = journal.header;
      if (h.ordersHash !== ordersHash)
        throw new CliError(
          `${source.name} changed since its sale journal ${journal.path} was started; resuming could sell the wrong keys.`,
          { details: "Restore the original order to resume, or move the journal away to treat it as a new sale." },
        );
      if (
        h.chainId !== ctx.chainId ||
        h.ledger.toLowerCase() !== ctx.ledger.toLowerCase() ||
        h.from.toLowerCase() !== account.address.toLowerCase()
      )
        throw new CliError(
          `Sale journal ${journal.path} belongs to a run from ${h.from} on chain id ${h.chainId}, ledger ${h.ledger}; this run is ${account.address} on chain id ${ctx.chainId}, ledger ${ctx.ledger}.`,
        );
      chunkSize = h.chunkSize; // the orders' references depend on it
    }
    const orders = toSaleOrders(rows, source, chunkSize);
    if (!journal.header)
      journal.append({
        kind: "keytrail-sale-journal",
        version: 1,
        ordersHash,
        chunkSize,
        chainId: ctx.chainId,
        ledger: ctx.ledger,
        from: account.address,
        chunks: orders.length,
      });
    for (const [k, o] of orders.entries()) partOf.set(o.ref, { row: o.row, k });
    const r = await runEngineOrders(ctx, {
      source: source.name,
      orders,
      maxOrdersPerTx: 1_000,
      maxKeysPerTx: chunkSize,
      dataDir: parameters.dataDir,
      databaseUrl: parameters.databaseUrl,
      label: "selling",
      unit: "orders",
      explain: explain,
      // the journal keeps each accepted order's receipt secrets (refund --secret-from reads them)
      accepted: (answers) => {
        for (const [ref, answer] of answers) {
          const part = partOf.get(ref)!;
          if (journal.prepared.has(part.k)) continue;
          journal.append({ chunk: part.k, state: "prepared", items: recordsOf(part.row, answer) });
        }
      },
      out,
    });
    const sold = orders.flatMap((_o, k) => journal.prepared.get(k)?.items ?? []) as SaleItemRecord[];
    const keys = await withLinks(sold);
    writeFileSync(parameters.linksPath, toLinksCsv(keys), { mode: 0o600 });
    chmodSync(parameters.linksPath, 0o600);
    return { chunks: r.transactions, sent: r.placed, resumed: r.resumed, keys };
  } finally {
    journal.close();
    release();
  }

  /** A key's journal record from the engine's answer (its receipt secret). */
  function recordsOf(row: SaleRow, answer: OrderAnswer): SaleItemRecord[] {
    return answer.keys.map(({ index, receiptSecret: secret }) => ({
      batchId: row.batchId,
      index: String(index),
      secret,
      orderReference: row.orderReference,
      commitment: computeReceiptCommitment({ batchId: row.batchId, index, secret }),
      orderRef: computeOrderRefHash({ orderReference: row.orderReference, secret }),
    }));
  }

  /** Why a part's keys are not free: the ledger's sentence (already sold, not held…), naming the row. */
  async function explain(o: EngineOrder, missing: [number, number][], where: string): Promise<Error> {
    const row = partOf.get(o.ref)!.row;
    const indices = (o.options.indices ?? []).map(BigInt);
    const dummy = indices.map(() => `0x${"0".repeat(63)}1` as Hex);
    try {
      await pc.simulateContract({
        account,
        address: ctx.ledger,
        abi: keyLedgerV2Abi,
        functionName: "sell",
        args: [[{ batchId: row.batchId, indices, commitments: dummy, orderRefs: dummy }], row.context],
      });
    } catch (e) {
      const d = await decodeLedgerError(e, errCtx);
      return d instanceof LedgerRefusedError
        ? new LedgerRefusedError(`${o.where}: ${d.shortMessage} Nothing was sent.`, d.errorName, { cause: e })
        : d;
    }
    const keys = missing.map(([s, e]) => formatRange(BigInt(s), BigInt(e))).join(", ");
    return new CliError(
      `${o.where}: keys ${keys} of batch ${row.batchId} are allocated to another order in ${where}; nothing was sent.`,
    );
  }

  /** Builds each key's buyer link from its batch folder's urls.csv (seller and receipt secret added). */
  async function withLinks(items: readonly SaleItemRecord[]): Promise<SoldKey[]> {
    const dirOf = new Map<Hex, string>();
    for (const r of rows) if (r.batchDir) dirOf.set(r.batchId, r.batchDir);
    const urls = new Map<string, string>();
    for (const [batchId, dir] of dirOf) {
      const idx = items.filter((i) => i.batchId === batchId).map((i) => Number(i.index));
      if (idx.length === 0) continue;
      for (const row of await readUrlRange(dir, Math.min(...idx), Math.max(...idx) + 1))
        urls.set(`${batchId}:${row.index}`, row.url);
    }
    return items.map((it) => {
      const url = urls.get(`${it.batchId}:${it.index}`);
      if (!url) return { ...it, url: undefined };
      const { payload, portalBase } = parsePayloadInput(url);
      const fields = { ...decodePayload(payload), seller: account.address, receiptSecret: it.secret };
      return { ...it, url: payloadUrl((portalBase ?? "").replace(/\/+$/, ""), encodePayload(fields)) };
    });
  }
}

/**
 * A sale's orders: each row split into parts of at most `chunkSize` keys, under stable references
 * ({@link saleReferenceOf}); the engine then puts parts sharing a sale context into one `sell` call
 * up to `chunkSize` keys.
 *
 * @param rows - the sale's rows.
 * @param source - what they came from (its bytes name the orders).
 * @param chunkSize - most keys per part.
 * @returns the orders, in row order.
 * @example
 * toSaleOrders(rows, { name: "sales.csv", bytes }, 100)
 */
export function toSaleOrders(
  rows: readonly SaleRow[],
  source: { name: string; bytes: Uint8Array },
  chunkSize: number,
): (EngineOrder & { row: SaleRow })[] {
  const fileKey = createHash("sha256").update(source.bytes).digest("hex").slice(0, 16);
  const out: (EngineOrder & { row: SaleRow })[] = [];
  for (const row of rows) {
    for (let first = row.start; first < row.end; first += BigInt(chunkSize)) {
      const last = first + BigInt(chunkSize) < row.end ? first + BigInt(chunkSize) : row.end;
      const indices: number[] = [];
      for (let k = Number(first); k < Number(last); k++) indices.push(k);
      const ref = saleReferenceOf(fileKey, row.line, Number(first - row.start));
      out.push({
        ref,
        where: row.line > 0 ? `${source.name} line ${row.line}` : source.name,
        request: { orderReference: ref, kind: "sale", batchId: row.batchId, quantity: indices.length },
        options: { indices, sale: { orderReference: row.orderReference, ...row.context } },
        batchId: row.batchId,
        start: Number(first),
        end: Number(last),
        row,
      });
    }
  }
  return out;
}

/**
 * A sale order's stable reference: `sale:` + the first 16 hex digits of the sha256 of the orders
 * file (or of the single sale's canonical form) + `:` + the row's line (0 for a single sale) + `:` +
 * the part's first key as an offset in the row (rows are split into parts of --chunk-size keys; a
 * resumed run takes the chunk size from its journal).
 *
 * @param fileKey - first 16 hex digits of the source's sha256.
 * @param line - the row's line.
 * @param offset - the part's first key minus the row's first key.
 * @returns the reference.
 * @example
 * saleReferenceOf("3f1c0d2a9b8e7f60", 4, 100) // "sale:3f1c0d2a9b8e7f60:4:100"
 */
export function saleReferenceOf(fileKey: string, line: number, offset: number): string {
  return `sale:${fileKey}:${line}:${offset}`;
}

/** The links file: batch,index,order_reference,url (url empty when the batch folder was not given). */
function toLinksCsv(keys: readonly SoldKey[]): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return [
    "batch,index,order_reference,url",
    ...keys.map((k) => [k.batchId, k.index, q(k.orderReference), k.url ?? ""].join(",")),
  ]
    .join("\n")
    .concat("\n");
}
