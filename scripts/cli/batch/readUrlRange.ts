import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CliError, CliUsageError } from "../errors.js";

/** One row of urls.csv. */
export type UrlRow = { index: number; serial: string; url: string };

/**
 * Streams the rows of a batch folder's urls.csv (index,serial,url) whose index lies in
 * [start, end), stopping as soon as the range is passed (urls.csv of 1M keys is large).
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
  if (!existsSync(join(batchDir, ".complete"))) throw new CliError(`Batch folder ${batchDir} has no .complete marker: the seal is unfinished; re-run batch seal first.`);
  if (!existsSync(file)) throw new CliUsageError(`${file} does not exist (sealed with --no-urls?).`);
  const rows: UrlRow[] = [];
  const rl = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (line === 1 && /^index\b/i.test(text)) continue;
    if (!text) continue;
    const first = text.indexOf(",");
    const second = text.indexOf(",", first + 1);
    if (first < 0 || second < 0) throw new CliError(`${file} line ${line} is not index,serial,url.`);
    const index = Number(text.slice(0, first));
    if (index < start) continue;
    if (index >= end) break;
    rows.push({ index, serial: text.slice(first + 1, second), url: text.slice(second + 1) });
  }
  rl.close();
  return rows;
}
