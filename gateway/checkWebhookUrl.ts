import { GatewayConfigError } from "./errors.js";

/**
 * Checks a client's webhook URL: absolute http(s), no credentials in it, at most 2,048 characters.
 *
 * @param url - the URL as given.
 * @returns the URL, normalised.
 * @throws GatewayConfigError naming the URL when it is not usable.
 * @example
 * checkWebhookUrl("https://shop.example/hooks/keytrail");
 */
export function checkWebhookUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new GatewayConfigError(`Webhook URL ${JSON.stringify(url)} is not an absolute URL.`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new GatewayConfigError(`Webhook URL ${JSON.stringify(url)} is not http(s).`);
  if (u.username || u.password)
    throw new GatewayConfigError(
      `Webhook URL ${JSON.stringify(u.host)} carries credentials: use the signature instead.`,
    );
  if (url.length > 2048)
    throw new GatewayConfigError(`Webhook URL of ${url.length} characters is too long (2,048 at most).`);
  return u.toString();
}
