/**
 * JSON.stringify with bigints written as decimal strings and two-space indentation.
 *
 * @param value - anything JSON-like, bigints allowed.
 * @returns the JSON text.
 * @example
 * toJson({ count: 10n }) // '{\n  "count": "10"\n}'
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
