import { existsSync, readFileSync } from "node:fs";
import { createCsvRecordSplitter } from "../../../lib/keys/parse/createCsvRecordSplitter.js";
import { CliUsageError } from "../errors.js";

/**
 * Reads a file of key indices: one index or inclusive range ("100-199") per line (commas and
 * spaces also separate; # starts a comment). Lines are split by lib/keys' record splitter, so a
 * spreadsheet's CSV export (quoted cells, CRLF, a byte order mark) reads the same. Problems name
 * the file and line.
 *
 * @param path - the file.
 * @returns the indices, sorted, without duplicates.
 * @example
 * readIndexFile("redeemed-today.txt") // [5n, 17n, 100n, …]
 */
export function readIndexFile(path: string): bigint[] {
  if (!existsSync(path)) throw new CliUsageError(`Index file ${path} does not exist.`);
  const set = new Set<bigint>();
  const splitter = createCsvRecordSplitter({ delimiter: ",", comment: "#" });
  for (const record of [...splitter.push(readFileSync(path, "utf8")), ...splitter.end()]) {
    const where = `${path} line ${record.line}`;
    if (record.error !== undefined) throw new CliUsageError(`${where}: ${record.error}`);
    for (const cell of record.cells) {
      const hash = cell.indexOf("#");
      const body = (hash < 0 ? cell : cell.slice(0, hash)).trim();
      if (body) {
        for (const tok of body.split(/[\s;]+/)) {
          const m = /^(\d+)(?:-(\d+))?$/.exec(tok);
          if (!m) throw new CliUsageError(`${where}: ${JSON.stringify(tok)} is not an index or a range FIRST-LAST.`);
          const a = BigInt(m[1]!);
          const b = m[2] === undefined ? a : BigInt(m[2]);
          if (b < a) throw new CliUsageError(`${where}: range ${tok} ends before it starts.`);
          if (b - a > 10_000_000n) throw new CliUsageError(`${where}: range ${tok} is larger than 10,000,000 keys.`);
          for (let x = a; x <= b; x++) set.add(x);
        }
      }
      if (hash >= 0) break; // the rest of the line is a comment
    }
  }
  if (set.size === 0) throw new CliUsageError(`Index file ${path} lists no indices.`);
  return [...set].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
