import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createCsvRecordSplitter } from "../../../lib/keys/parse/createCsvRecordSplitter.js";
import { computeOrderRefHash } from "../../../lib/sale/computeOrderRefHash.js";
import { CliError, CliUsageError } from "../errors.js";
import { formatRange } from "../parse/formatRange.js";
import { parseBatchRef } from "../parse/parseBatchRef.js";
import { parseRange } from "../parse/parseRange.js";
import { parseSaleContext } from "./parseSaleContext.js";
import type { SaleRow } from "./saleTypes.js";

const CHECK_SECRET = `0x${"00".repeat(16)}` as const;

/**
 * Checks an order reference the way lib/sale hashes it (not empty, at most 128 characters).
 *
 * @param text - the order reference.
 * @param where - prefix for the error.
 * @returns the text.
 * @example
 * checkOrderReference("ORD-2026-0042", "--order-ref: ")
 */
export function checkOrderReference(text: string, where: string): string {
  try {
    computeOrderRefHash({ orderReference: text, secret: CHECK_SECRET });
  } catch (e) {
    throw new CliUsageError(`${where}${(e as Error & { shortMessage?: string }).shortMessage ?? String(e)}`);
  }
  return text;
}

/**
 * Reads a sale orders file: CSV with columns batch,keys,order_ref[,amount,currency,store,terminal]
 * (header optional; `keys` one index or an inclusive range FIRST-LAST; `batch` a batchId or a batch
 * folder relative to the file — a folder lets the links be built from its urls.csv), split by
 * lib/keys' record splitter (quotes, CRLF, BOM, `#` comments). Every problem names the file and
 * line; rows sharing a key are refused with both lines (that would sell it twice).
 *
 * @param path - the orders file.
 * @returns the rows in file order and the file's bytes (hashed by the journal).
 * @example
 * const { rows } = readSaleOrders("sales.csv");
 */
export function readSaleOrders(path: string): { rows: SaleRow[]; bytes: Uint8Array } {
  if (!existsSync(path)) throw new CliUsageError(`Orders file ${path} does not exist.`);
  const bytes = readFileSync(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`Orders file ${path} is not valid UTF-8: save it as UTF-8.`);
  }
  const splitter = createCsvRecordSplitter({ comment: "#" });
  const records = [...splitter.push(text), ...splitter.end()];
  const rows: SaleRow[] = [];
  for (const record of records) {
    const where = `${path} line ${record.line}: `;
    if (record.error !== undefined) throw new CliUsageError(`${where}${record.error}`);
    const f = record.cells.map((c) => c.trim());
    if (rows.length === 0 && /^batch/i.test(f[0] ?? "")) continue; // header
    if (f.length < 3 || f.length > 7)
      throw new CliUsageError(
        `${where}expected batch,keys,order_ref[,amount,currency,store,terminal], got ${f.length} fields.`,
      );
    let batchRef = f[0]!;
    let batchDir: string | undefined;
    if (!/^0x/i.test(batchRef)) {
      batchRef = resolve(dirname(path), batchRef);
      if (existsSync(batchRef) && statSync(batchRef).isDirectory()) batchDir = batchRef;
    }
    let batchId;
    try {
      batchId = parseBatchRef(batchRef);
    } catch (e) {
      throw new CliUsageError(`${where}${(e as CliUsageError).shortMessage.replace(/^--batch /, "batch ")}`);
    }
    let range;
    try {
      range = parseRange(f[1]!, "keys");
    } catch (e) {
      throw new CliUsageError(`${where}${(e as CliUsageError).shortMessage}`);
    }
    const orderReference = checkOrderReference(f[2]!, where);
    const context = parseSaleContext({ amount: f[3], currency: f[4], store: f[5], terminal: f[6] }, where);
    rows.push({ line: record.line, batchId, batchDir, ...range, orderReference, context });
  }
  if (rows.length === 0) throw new CliUsageError(`Orders file ${path} has no order rows.`);
  const sorted = [...rows].sort((a, b) =>
    a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : a.start < b.start ? -1 : a.start > b.start ? 1 : 0,
  );
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1]!;
    const c = sorted[i]!;
    if (p.batchId === c.batchId && c.start < p.end) {
      const [a, b] = p.line < c.line ? [p, c] : [c, p];
      throw new CliUsageError(
        `${path} lines ${a.line} and ${b.line} overlap: keys ${formatRange(a.start, a.end)} and ${formatRange(b.start, b.end)} of batch ${a.batchId} share keys (that would sell them twice).`,
      );
    }
  }
  return { rows, bytes };
}
