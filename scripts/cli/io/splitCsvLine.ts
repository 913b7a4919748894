/**
 * Splits one CSV/TSV line into fields: comma or tab separated, double quotes around a field
 * allowed ("" inside quotes is a quote), surrounding spaces trimmed.
 *
 * @param line - the line without its newline.
 * @returns the fields.
 * @example
 * splitCsvLine('0x5c…,0,999,0x70…,"order 17, Shenzhen"') // 5 fields
 */
export function splitCsvLine(line: string): string[] {
  const sep = line.includes("\t") && !line.includes(",") ? "\t" : ",";
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += ch;
    } else if (ch === '"' && cur.trim() === "") {
      quoted = true;
      cur = "";
    } else if (ch === sep) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}
