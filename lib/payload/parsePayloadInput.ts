import { PayloadError } from "./errors.js";
import { MAX_PAYLOAD_CHARS } from "./constants.js";

/** Result of {@link parsePayloadInput}. */
export type ParsePayloadInputReturnType = {
  /** The payload string (base64url), ready for `decodePayload`. */
  payload: string;
  /** The portal base of a pasted link (`https://host/path` before `/v/#` or `/en/v/#`), when there was one. */
  portalBase: string | undefined;
};

/**
 * Takes what a person pasted or a camera read, a whole link (`https://<portal>/v/#<payload>`), a
 * fragment (`#<payload>`) or a bare payload, and returns the payload string. Whitespace (line
 * breaks from wrapped e-mails) is removed; nothing else is changed, `decodePayload` stays strict.
 *
 * @param urlOrPayload The input.
 * @returns The payload and, for a link, the portal base.
 * @throws {PayloadError} `EMPTY` for nothing, `URL` for a link without a `#` payload, `OVERSIZED`.
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
  if (before.length > 0) {
    // The verify page is /v/ (Chinese, the default) or /en/v/ (English): the portal base is above both.
    const m = /^(.*?)(?:\/en)?\/v\/?$/.exec(before);
    portalBase = m ? m[1] : before.replace(/\/+$/, "");
  }
  return { payload, portalBase };
}
