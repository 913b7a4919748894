import { PayloadError } from "./errors.js";
import { CSET82, gtinCheckDigitOk } from "./internal/gs1.js";
import type { Gs1Fields } from "../schemas/gs1.js";

/** The GS1 identifiers of a Digital Link path (AI 01 GTIN, and the key qualifiers AI 10 lot, AI 21 serial). */
export type DigitalLinkPath = Pick<Gs1Fields, "gtin" | "lot" | "serial">;

/** Result of {@link splitDigitalLinkPath}. */
export type SplitDigitalLinkPathReturnType = {
  /** Everything before `/01/` (scheme, host and any path prefix; `/en` kept), "" for a bare path. */
  prefix: string;
  /** The identifiers. */
  path: DigitalLinkPath;
};

/** A Digital Link value: the unreserved characters of set 82 as they are, every other one as a %-escape. */
const PCHAR = /^(?:[A-Za-z0-9\-._]|%[0-9A-Fa-f]{2})+$/;

function fail(link: string, why: string): never {
  throw new PayloadError("LINK", `${JSON.stringify(link.slice(0, 120))} is not a valid GS1 Digital Link: ${why}.`);
}

/** Percent-decodes a segment holding only ASCII escapes (character set 82 is ASCII). */
function decodeSegment(link: string, ai: string, raw: string): string {
  if (!PCHAR.test(raw))
    fail(
      link,
      `AI ${ai} value ${JSON.stringify(raw)} holds characters that must be percent-encoded, or a bad %-escape`,
    );
  const value = raw.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  if (!CSET82.test(value))
    fail(link, `AI ${ai} value ${JSON.stringify(value)} is not 1-20 characters of GS1 AI encodable character set 82`);
  return value;
}

/**
 * Finds and validates the GS1 Digital Link path in a link (`…/01/<gtin>[/10/<lot>][/21/<serial>]`), the
 * form KeyTrail prints: AI 01 with a GTIN-8/12/13/14 (padded to 14 digits) and a valid check digit, then the key
 * qualifiers AI 10 and AI 21 in that order, each once, their values 1-20 characters of GS1 character set 82,
 * every character but `A-Z a-z 0-9 - . _` percent-encoded. Other AIs, a query string or trailing segments are refused.
 *
 * @param link A link without its `#` fragment, or a path.
 * @returns The prefix before `/01/` and the identifiers, or undefined when the link has no `/01/` segment.
 * @throws {PayloadError} `LINK` naming the link and the rule it breaks.
 *
 * @example
 * splitDigitalLinkPath("https://verify.example/01/09506000134352/21/4dab528a.2")
 * // { prefix: "https://verify.example", path: { gtin: "09506000134352", serial: "4dab528a.2" } }
 */
export function splitDigitalLinkPath(link: string): SplitDigitalLinkPathReturnType | undefined {
  const at = link.indexOf("/01/");
  if (at < 0) return undefined;
  const prefix = link.slice(0, at);
  const rest = link.slice(at + 1);
  if (rest.includes("?"))
    fail(link, "a KeyTrail Digital Link carries no query string (its payload holds the attributes)");
  const parts = rest.split("/");
  if (parts.length % 2 !== 0) fail(link, `the path ${JSON.stringify("/" + rest)} does not alternate AI and value`);
  const gtinRaw = parts[1]!;
  if (!/^(?:\d{8}|\d{12,14})$/.test(gtinRaw))
    fail(link, `AI 01 value ${JSON.stringify(gtinRaw)} is not a GTIN (8, 12, 13 or 14 digits)`);
  const gtin = gtinRaw.padStart(14, "0");
  if (!gtinCheckDigitOk(gtin)) fail(link, `GTIN ${gtin} has a wrong check digit`);
  const path: DigitalLinkPath = { gtin };
  let last = 0;
  for (let i = 2; i < parts.length; i += 2) {
    const ai = parts[i]!;
    const order = ai === "10" ? 1 : ai === "21" ? 2 : 0;
    if (order === 0) fail(link, `AI ${JSON.stringify(ai)} is not a key qualifier KeyTrail uses after AI 01 (10, 21)`);
    if (order <= last) fail(link, `AI ${ai} is repeated or out of order (AI 10 comes before AI 21)`);
    last = order;
    const value = decodeSegment(link, ai, parts[i + 1]!);
    if (ai === "10") path.lot = value;
    else path.serial = value;
  }
  return { prefix, path };
}
