/**
 * The verification link of a payload: `${portalBase}/v/#${payload}`. The payload travels in the
 * fragment, which browsers never send to a server, so it stays out of server logs.
 *
 * @param portalBase The portal's base URL, e.g. `https://verify.example` (trailing slashes ignored).
 * @param payload A payload string from `encodePayload`.
 * @returns The link to print in a QR code.
 *
 * @example
 * payloadUrl("https://verify.example/", "AQA...") // "https://verify.example/v/#AQA..."
 */
export function payloadUrl(portalBase: string, payload: string): string {
  let end = portalBase.length;
  while (end > 0 && portalBase.charCodeAt(end - 1) === 47) end--;
  return `${portalBase.slice(0, end)}/v/#${payload}`;
}
