import { toPublicPayload } from "../../../lib/payload/toPublicPayload.js";

/** Which link a label carries: the public form (no salt) or the private one (with the salt) from urls.csv. */
export type LabelForm = "public" | "private";

/**
 * The link to print on a label. urls.csv holds the private form (its payload carries the key's salt, so whoever
 * reads it can test guesses of the key offline); `public` re-encodes the payload without the salt
 * (`toPublicPayload`, payload version 3) and keeps the rest of the link (the portal and a Digital Link path, whose
 * GTIN and serial the public payload still carries).
 *
 * @param url - a link from urls.csv (`…/v/#<payload>` or `…/01/<gtin>/21/<serial>#<payload>`).
 * @param form - "public" or "private".
 * @returns the link to print.
 * @throws {PayloadError} when the link's payload does not decode.
 * @example
 * labelUrl("https://verify.example/v/#AQ…", "public") // "https://verify.example/v/#A0…"
 */
export function labelUrl(url: string, form: LabelForm): string {
  if (form === "private") return url;
  const hash = url.indexOf("#");
  return `${url.slice(0, hash + 1)}${toPublicPayload(url.slice(hash + 1))}`;
}
