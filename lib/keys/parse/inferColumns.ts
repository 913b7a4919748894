import { formatLine } from "../errors.js";
import { cleanCell } from "./cleanCell.js";
import type { ColumnRef, KeyFileParserOptions } from "./types.js";

const SERIAL_NAMES = new Set([
  "卡号",
  "序列号",
  "卡序列号",
  "卡编号",
  "编号",
  "card",
  "cardno",
  "cardnumber",
  "serial",
  "serialno",
  "serialnumber",
  "sn",
  "number",
  "no",
]);
const PIN_NAMES = new Set([
  "卡密",
  "密码",
  "卡密码",
  "兑换码",
  "激活码",
  "充值码",
  "pin",
  "code",
  "password",
  "secret",
  "key",
  "cardkey",
  "cdkey",
  "redeemcode",
]);
const PIN_EXAMPLES = "卡密, 密码, pin, code, …";
const MAP = "pass a column mapping";

/** Header cell -> comparable name: NFKC, lower case, no spaces, dashes or underscores. */
function headerName(cell: string): string {
  let s = cell.normalize("NFKC").toLowerCase();
  s = s.replace(/[\s\-_.]/g, "");
  return s;
}

/** Where the serial and the PIN are, as learnt from a key file's first non-blank line. */
export type InferredColumns = {
  /** CSV/TSV: column indices; JSONL: field names. `serial` null when the file has none. */
  columns: { serial: ColumnRef | null; pin: ColumnRef };
  /** The header cells (cleaned), or null when the first line is data (always null for JSONL). */
  header: string[] | null;
  /** Why, for people to check the guess. */
  reason: string;
};

/** The first line of a key file: CSV/TSV cells, or a JSONL line's object. */
export type FirstLine =
  { cells: string[]; object?: undefined } | { cells?: undefined; object: Record<string, unknown> };

/**
 * Works out which columns of a key file hold the serial (卡号) and the PIN (卡密) from its first
 * non-blank line: a given mapping (header names or 0-based indices), else a header with known names
 * (卡号,卡密 / 序列号,密码 / card,pin / serial,code …; NFKC, case, spaces and dashes ignored), else
 * one column = PIN, two = serial, PIN. For JSONL the line's field names are matched the same way.
 *
 * @param first - the first line's cells (CSV/TSV) or object (JSONL).
 * @param line - its line number, for messages.
 * @param options - the parser's `columns` and `header` options.
 * @returns the columns found, or `{ fatal }`: why the file cannot be read (no PIN column, unknown name…), with
 *   the header and reason learnt before the refusal.
 * @example
 * inferColumns({ cells: ["卡号", "卡密"] }, 1, {})
 * // { columns: { serial: 0, pin: 1 }, header: ["卡号", "卡密"], reason: "inferred from the header …" }
 */
export function inferColumns(
  first: FirstLine,
  line: number,
  options: Pick<KeyFileParserOptions, "columns" | "header">,
): InferredColumns | (Omit<InferredColumns, "columns"> & { fatal: string }) {
  const given = options.columns;
  if (first.object) {
    const keys = Object.keys(first.object);
    if (given) {
      const pin = String(given.pin);
      const serial = given.serial === undefined || given.serial === null ? null : String(given.serial);
      return { columns: { serial, pin }, header: null, reason: "given" };
    }
    const pin = keys.find((k) => PIN_NAMES.has(headerName(k))) ?? null;
    const serial = keys.find((k) => SERIAL_NAMES.has(headerName(k))) ?? null;
    const reason = `inferred from the field names of line ${formatLine(line)}`;
    if (pin === null) {
      const among = JSON.stringify(keys);
      const fatal = `line ${formatLine(line)}: no PIN field among ${among} (expected one of ${PIN_EXAMPLES}); ${MAP}`;
      return { fatal, header: null, reason };
    }
    return { columns: { serial, pin }, header: null, reason };
  }
  const c = first.cells;
  const names = c.map(headerName);
  const looksHeader = names.some((n) => SERIAL_NAMES.has(n) || PIN_NAMES.has(n));
  const isHeader = options.header === "auto" || options.header === undefined ? looksHeader : options.header;
  let unknown: string | undefined;
  const resolve = (ref: ColumnRef, what: string): number | undefined => {
    if (typeof ref === "number") return ref;
    if (/^\d+$/.test(ref)) return Number(ref);
    const i = isHeader ? names.indexOf(headerName(ref)) : -1;
    const where = isHeader ? JSON.stringify(c) : "(the file has none)";
    if (i < 0) unknown = `the ${what} column ${JSON.stringify(ref)} is not in the header ${where}`;
    return i < 0 ? undefined : i;
  };
  const header = isHeader ? c.map((x) => cleanCell(x)) : null;
  if (given) {
    const p = resolve(given.pin, "PIN");
    const s = given.serial === undefined || given.serial === null ? null : resolve(given.serial, "serial");
    if (p === undefined || s === undefined) return { fatal: unknown!, header, reason: "" };
    return { columns: { serial: s, pin: p }, header, reason: "given" };
  }
  if (header) {
    const p = names.findIndex((n) => PIN_NAMES.has(n));
    const s = names.findIndex((n) => SERIAL_NAMES.has(n));
    if (p < 0) {
      const cells = JSON.stringify(header);
      const fatal = `line ${formatLine(line)}: the header ${cells} has no PIN column (${PIN_EXAMPLES}); ${MAP}`;
      return { fatal, header, reason: "" };
    }
    const serial = s < 0 ? "no serial column" : `serial = column ${s + 1} ${JSON.stringify(header[s])}`;
    const pin = `PIN = column ${p + 1} ${JSON.stringify(header[p])}`;
    const reason = `inferred from the header on line ${formatLine(line)}: ${serial}, ${pin}`;
    return { columns: { serial: s < 0 ? null : s, pin: p }, header, reason };
  }
  if (c.length === 1) {
    return { columns: { serial: null, pin: 0 }, header: null, reason: "inferred: no header, one column = PIN" };
  }
  if (c.length === 2) {
    return { columns: { serial: 0, pin: 1 }, header: null, reason: "inferred: no header, two columns = serial, PIN" };
  }
  const which = "(which column is the PIN, which the serial)";
  const fatal = `line ${formatLine(line)}: no header and ${c.length} columns; ${MAP} ${which}`;
  return { fatal, header: null, reason: "" };
}
