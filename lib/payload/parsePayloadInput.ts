import { PayloadError } from "./errors.js";
import { MAX_PAYLOAD_CHARS } from "./constants.js";
import { decodePayload } from "./decodePayload.js";
import { splitDigitalLinkPath } from "./splitDigitalLinkPath.js";
import type { DigitalLinkPath } from "./splitDigitalLinkPath.js";

/** Result of {@link parsePayloadInput}. */
export type ParsePayloadInputReturnType = {
  /** The payload string (base64url), ready for `decodePayload`. */
  payload: string;
  /** The portal base of a pasted link (`https://host/path` before `/v/#` or `/en/v/#`), when there was one. */
  portalBase: string | undefined;
  /** The GS1 Digital Link path of a link of the form `https://<portal>/01/<gtin>/21/<serial>#<payload>`. */
  digitalLink?: DigitalLinkPath;
};

/** `gtin 0950… lot L1 serial 4dab528a.2` (the identifiers that are there), for messages. */
function describe(p: DigitalLinkPath | undefined): string {
  if (p === undefined) return "no GS1 identifiers";
  return [
    `GTIN ${p.gtin}`,
    p.lot !== undefined ? `lot ${p.lot}` : "",
    p.serial !== undefined ? `serial ${p.serial}` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

/**
 * Takes what a person pasted or a camera read, a whole link (`https://<portal>/v/#<payload>`, or the GS1
 * Digital Link form `https://<portal>/01/<gtin>/21/<serial>#<payload>`), a fragment (`#<payload>`) or a bare
 * payload, and returns the payload string. Whitespace (line breaks from wrapped e-mails) is removed; nothing else
 * is changed, `decodePayload` stays strict. A Digital Link's path is validated (`splitDigitalLinkPath`) and its
 * GTIN, lot and serial must be the payload's, so such a link is decoded here to compare them.
 *
 * @param urlOrPayload The input.
 * @returns The payload, for a link the portal base, and for a Digital Link its identifiers.
 * @throws {PayloadError} `EMPTY` for nothing, `URL` for a link without a `#` payload, `OVERSIZED`, `LINK` for an
 *   invalid Digital Link path, `LINK_MISMATCH` when the path and the payload disagree (and the payload's own decode
 *   errors for a Digital Link).
 *
 * @example
 * parsePayloadInput("https://verify.example/v/#AQA...").payload // "AQA..."
 */
export function parsePayloadInput(urlOrPayload: string): ParsePayloadInputReturnType {
  if (typeof urlOrPayload !== "string") throw new PayloadError("EMPTY", "no payload given.");
  if (urlOrPayload.length > MAX_PAYLOAD_CHARS * 4)
    throw new PayloadError("OVERSIZED", `${urlOrPayload.length} characters, far more than any link with a payload.`);
  let s = "";
  for (let i = 0; i < urlOrPayload.length; i++) {
    const c = urlOrPayload.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) s += urlOrPayload[i];
  }
  if (s.length === 0) throw new PayloadError("EMPTY", "the input is empty.");
  const hash = s.indexOf("#");
  if (hash < 0) {
    if (s.includes("://") || s.includes("/"))
      throw new PayloadError("URL", `${JSON.stringify(s.slice(0, 80))} is a link without a "#<payload>" fragment.`);
    return { payload: s, portalBase: undefined };
  }
  const payload = s.slice(hash + 1);
  if (payload.length === 0)
    throw new PayloadError("URL", `${JSON.stringify(s.slice(0, 80))} has an empty "#" fragment.`);
  const before = s.slice(0, hash);
  let portalBase: string | undefined;
  // A Digital Link (`/01/…`) unless it is a plain link whose portal base holds "/01/" (a serial or lot "v" ends in
  // "/21/v" or "/10/v", a plain link's page in "/v/" after anything else).
  const plain = /\/v\/?$/.test(before) && !/\/(?:10|21)\/v\/?$/.test(before);
  if (before.includes("/01/") && !plain) {
    const dl = splitDigitalLinkPath(before);
    if (dl !== undefined) {
      const gs1 = decodePayload(payload).gs1;
      const p = dl.path;
      if (gs1 === undefined || gs1.gtin !== p.gtin || gs1.lot !== p.lot || gs1.serial !== p.serial)
        throw new PayloadError(
          "LINK_MISMATCH",
          `link path and payload disagree: the path names ${describe(p)}, the payload ${describe(gs1)}.`,
        );
      return { payload, portalBase: dl.prefix.replace(/\/en$/, ""), digitalLink: p };
    }
  }
  if (before.length > 0) {
    // The verify page is /v/ (Chinese, the default) or /en/v/ (English): the portal base is above both.
    const m = /^(.*?)(?:\/en)?\/v\/?$/.exec(before);
    portalBase = m ? m[1] : before.replace(/\/+$/, "");
  }
  return { payload, portalBase };
}
