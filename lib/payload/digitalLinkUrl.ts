import { decodePayload } from "./decodePayload.js";
import { encodePayload } from "./encodePayload.js";
import { PayloadError } from "./errors.js";
import type { DecodedPayload } from "../schemas/payload.js";

/**
 * Percent-encodes a GS1 character-set-82 value for a Digital Link path segment: every character but the URI
 * unreserved ones of set 82 (`A-Z a-z 0-9 - . _`) becomes `%XX`, as GS1 Digital Link asks.
 */
export function encodeDigitalLinkSegment(v: string): string {
  return v.replace(/[^A-Za-z0-9\-._]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/**
 * The GS1 Digital Link verification link of a payload: `${portalBase}/01/<gtin>[/10/<lot>]/21/<serial>#${payload}`.
 * The path carries the payload's public GS1 identifiers (a retail scanner or a GS1 resolver reads them); the
 * payload stays in the fragment, which browsers never send to a server. `parsePayloadInput` refuses a link whose
 * path and payload disagree.
 *
 * @param portalBase The portal's base URL, e.g. `https://verify.example` (trailing slashes ignored).
 * @param payload A payload string (from `encodePayload`) whose GS1 block has a serial.
 * @returns The link to print in a QR code.
 * @throws {PayloadError} `FIELD` when the payload has no GS1 GTIN and serial; decode errors of the payload.
 *
 * @example
 * digitalLinkUrl("https://verify.example", payload) // "https://verify.example/01/09506000134352/21/4dab528a.2#AQg…"
 */
export function digitalLinkUrl(portalBase: string, payload: string | DecodedPayload): string {
  const text = typeof payload === "string" ? payload : undefined;
  const p = typeof payload === "string" ? decodePayload(payload) : payload;
  const gs1 = p.gs1;
  if (gs1?.serial === undefined)
    throw new PayloadError(
      "FIELD",
      "gs1: a Digital Link needs the payload's GS1 GTIN and serial (seal with --gtin); use payloadUrl otherwise.",
    );
  let end = portalBase.length;
  while (end > 0 && portalBase.charCodeAt(end - 1) === 47) end--;
  let path = `/01/${gs1.gtin}`;
  if (gs1.lot !== undefined) path += `/10/${encodeDigitalLinkSegment(gs1.lot)}`;
  path += `/21/${encodeDigitalLinkSegment(gs1.serial)}`;
  return `${portalBase.slice(0, end)}${path}#${text ?? encodePayload(p)}`;
}
