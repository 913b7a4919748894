import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Address, Hex } from "viem";
import { CliError, CliUsageError } from "../errors.js";
import { createCsvRecordSplitter } from "../../../lib/keys/parse/createCsvRecordSplitter.js";
import { parseAddress } from "../parse/parseAddress.js";
import { parseBatchRef } from "../parse/parseBatchRef.js";
import { formatRange } from "../parse/formatRange.js";

/** One order row: move [start, end) of a batch to `to`. */
export type OrderRow = { line: number; batchId: Hex; start: bigint; end: bigint; to: Address; memo: string };

/**
 * Reads a bulk orders file: CSV or TSV with columns batch,start,end,to[,memo] (header optional;
 * `end` inclusive like --range; `batch` a batchId or a batch folder relative to the file), split by
 * lib/keys' record splitter (RFC 4180 quotes, CRLF, BOM; `#` comment lines, blank lines skipped). Every
 * problem names the file and line; two rows overlapping in the same batch are refused with both
 * line numbers (that would be selling keys twice).
 *
 * @param path - the orders file.
 * @returns the rows in file order and the file's bytes (hashed by the journal).
 * @example
 * const { rows } = readOrders("orders.csv");
 */
export function readOrders(path: string): { rows: OrderRow[]; bytes: Uint8Array } {
  if (!existsSync(path)) throw new CliUsageError(`Orders file ${path} does not exist.`);
  const bytes = readFileSync(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`Orders file ${path} is not valid UTF-8 (a GBK export?): save it as UTF-8.`);
  }
  const rows: OrderRow[] = [];
  const splitter = createCsvRecordSplitter({ comment: "#" });
  const records = [...splitter.push(text), ...splitter.end()];
  const where = (n: number) => `${path} line ${n}`;
  for (const record of records) {
    const n = record.line;
    if (record.error !== undefined) throw new CliUsageError(`${where(n)}: ${record.error}`);
    const f = record.cells.map((c) => c.trim());
    if (rows.length === 0 && /^batch/i.test(f[0] ?? "")) continue; // header
    if (f.length < 4 || f.length > 5)
      throw new CliUsageError(`${where(n)}: expected batch,start,end,to[,memo], got ${f.length} fields.`);
    let batchId: Hex;
    try {
      batchId = /^0x/i.test(f[0]!) ? parseBatchRef(f[0]!) : parseBatchRef(resolve(dirname(path), f[0]!));
    } catch (e) {
      throw new CliUsageError(`${where(n)}: ${(e as CliUsageError).shortMessage.replace(/^--batch /, "batch ")}`);
    }
    if (!/^\d+$/.test(f[1]!) || !/^\d+$/.test(f[2]!))
      throw new CliUsageError(
        `${where(n)}: start ${JSON.stringify(f[1])} and end ${JSON.stringify(f[2])} must be whole numbers.`,
      );
    const start = BigInt(f[1]!);
    const last = BigInt(f[2]!);
    if (last < start) throw new CliUsageError(`${where(n)}: end ${last} is before start ${start}.`);
    let to: Address;
    try {
      to = parseAddress(f[3]!, "recipient");
    } catch (e) {
      throw new CliUsageError(`${where(n)}: ${(e as CliUsageError).shortMessage}`);
    }
    rows.push({ line: n, batchId, start, end: last + 1n, to, memo: f[4] ?? "" });
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
        `${path} lines ${a.line} and ${b.line} overlap: ranges ${formatRange(a.start, a.end)} and ${formatRange(b.start, b.end)} of batch ${a.batchId} share keys (that would sell them twice).`,
      );
    }
  }
  return { rows, bytes };
}
