import type { Gs1Fields } from "../schemas/gs1.js";

/** Percent-encodes a GS1 character-set-82 value for a Digital Link path segment. */
function encodeSegment(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The GS1 Digital Link path of a payload's GS1 identifiers: `/01/<gtin>[/10/<lot>][/21/<serial>]`
 * and `?17=<expiry>` (AI 17 is a data attribute, not part of the path). Append it to a GS1
 * resolver (e.g. `https://id.gs1.org`) to show the product the way GS1 tools do.
 *
 * @param gs1 The identifiers (from a decoded payload).
 * @returns The path and query.
 *
 * @example
 * gs1DigitalLinkPath({ gtin: "09506000134352", lot: "L2026-11", serial: "A7", expiry: "271231" })
 * // "/01/09506000134352/10/L2026-11/21/A7?17=271231"
 */
export function gs1DigitalLinkPath(gs1: Gs1Fields): string {
  let s = `/01/${gs1.gtin}`;
  if (gs1.lot !== undefined) s += `/10/${encodeSegment(gs1.lot)}`;
  if (gs1.serial !== undefined) s += `/21/${encodeSegment(gs1.serial)}`;
  if (gs1.expiry !== undefined) s += `?17=${gs1.expiry}`;
  return s;
}
