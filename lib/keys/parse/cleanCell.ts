/**
 * Trims a key-file cell: ASCII white space and control characters, U+3000 (the ideographic space),
 * and a spreadsheet's `="…"` text guard around the value.
 *
 * @param s - the cell as read.
 * @returns the cell's value (the same string when there was nothing to trim).
 * @example
 * cleanCell(' ="0012" ') // "0012"
 */
export function cleanCell(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) <= 32 || s.charCodeAt(a) === 0x3000)) a++;
  while (b > a && (s.charCodeAt(b - 1) <= 32 || s.charCodeAt(b - 1) === 0x3000)) b--;
  const guarded = b - a >= 3 && s.charCodeAt(a) === 61 && s.charCodeAt(a + 1) === 34 && s.charCodeAt(b - 1) === 34;
  if (guarded) return s.slice(a + 2, b - 1);
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
