import { PROFILE_NAME_MAX } from "./encodeProfileUri.js";

/**
 * Reads the display name from a party's profile URI when it is a `data:application/json` URI
 * (see `encodeProfileUri`); any other URI, malformed JSON or an unusable name gives undefined.
 * Control characters are dropped and the name is cut to 80 characters: it is shown as text, never
 * as markup.
 *
 * @param profileUri - the party's profile URI as registered on chain.
 * @returns the name, or undefined.
 * @example
 * readProfileName('data:application/json,%7B%22name%22%3A%22Kameng%22%7D') // "Kameng"
 */
export function readProfileName(profileUri: string | null | undefined): string | undefined {
  if (typeof profileUri !== "string" || profileUri.length > 4096) return undefined;
  const m = /^data:application\/json(;base64)?,(.*)$/s.exec(profileUri);
  if (!m) return undefined;
  let json: unknown;
  try {
    const text = m[1]
      ? new TextDecoder().decode(Uint8Array.from(atob(m[2]!), (c) => c.charCodeAt(0)))
      : decodeURIComponent(m[2]!);
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== "object" || typeof (json as { name?: unknown }).name !== "string")
    return undefined;
  const name = (json as { name: string }).name
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "")
    .trim();
  return name.length ? name.slice(0, PROFILE_NAME_MAX) : undefined;
}
