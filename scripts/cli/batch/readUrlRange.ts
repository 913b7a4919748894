import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createCsvRecordSplitter } from "../../../lib/keys/parse/createCsvRecordSplitter.js";
import { CliError, CliUsageError } from "../errors.js";

/** One row of urls.csv. */
export type UrlRow = { index: number; serial: string; url: string };

/**
 * Streams the rows of a batch folder's urls.csv (index,serial,url) whose index lies in
 * [start, end), stopping as soon as the range is passed (urls.csv of 1M keys is large). Rows are
 * split by lib/keys' record splitter: a serial holding a comma or a quote is CSV-quoted there.
 *
 * @param batchDir - the batch folder.
 * @param start - first index.
 * @param end - one past the last index.
 * @returns the rows, in index order.
 * @example
 * const rows = await readUrlRange("out/2026-11-A", 0, 100);
 */
export async function readUrlRange(batchDir: string, start: number, end: number): Promise<UrlRow[]> {
  const file = join(batchDir, "urls.csv");
  if (!existsSync(join(batchDir, ".complete")))
    throw new CliError(
      `Batch folder ${batchDir} has no .complete marker: the seal is unfinished; re-run batch seal first.`,
    );
  if (!existsSync(file)) throw new CliUsageError(`${file} does not exist (sealed with --no-urls?).`);
  const rows: UrlRow[] = [];
  const splitter = createCsvRecordSplitter({ delimiter: "," });
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 256 * 1024 });
  /** Takes a piece's records; true once the range is passed. */
  const take = (records: ReturnType<typeof splitter.push>): boolean => {
    for (const r of records) {
      if (r.line === 1 && /^index$/i.test(r.cells[0] ?? "")) continue;
      if (r.error !== undefined || r.cells.length < 3)
        throw new CliError(`${file} line ${r.line} is not index,serial,url${r.error ? `: ${r.error}` : ""}.`);
      const index = Number(r.cells[0]);
      if (index < start) continue;
      if (index >= end) return true;
      // the URL is written unquoted: a comma in it (from the portal base) belongs to it
      rows.push({ index, serial: r.cells[1]!, url: r.cells.length === 3 ? r.cells[2]! : r.cells.slice(2).join(",") });
    }
    return false;
  };
  try {
    let done = false;
    for await (const piece of stream) {
      if (take(splitter.push(piece as string))) {
        done = true;
        break;
      }
    }
    if (!done) take(splitter.end());
  } finally {
    stream.destroy();
  }
  return rows;
}
