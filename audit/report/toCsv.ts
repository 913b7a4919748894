/** One CSV field (RFC 4180 quoting). */
const field = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : Array.isArray(v) ? v.join(" ") : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * CSV text (RFC 4180, CRLF line ends, header first) from rows of values.
 *
 * @param header Column names.
 * @param rows Rows, one value per column.
 * @returns The CSV text.
 * @example
 * toCsv(["a", "b"], [[1, "x,y"]]) // 'a,b\r\n1,"x,y"\r\n'
 */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(field).join(",")).join("\r\n") + "\r\n";
}
