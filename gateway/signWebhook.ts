import { createHmac, randomBytes } from "node:crypto";

/**
 * The signature header of a webhook delivery: `v1=` and the HMAC-SHA256, keyed with the client's
 * webhook secret (the whole `whsec_…` string, as UTF-8), of `${timestamp}.${body}` (timestamp in
 * Unix seconds, the exact body bytes), in lower-case hex. docs/GATEWAY.md shows how a receiver checks it.
 *
 * @param parameters.secret - the client's webhook secret (`whsec_…`).
 * @param parameters.timestamp - Unix seconds, sent as `x-keytrail-timestamp`.
 * @param parameters.body - the request body as sent.
 * @returns the `x-keytrail-signature` value.
 * @example
 * const signature = signWebhook({ secret, timestamp: Math.floor(Date.now() / 1000), body });
 */
export function signWebhook(parameters: { secret: string; timestamp: number; body: string }): string {
  const mac = createHmac("sha256", Buffer.from(parameters.secret, "utf8"));
  return `v1=${mac.update(`${parameters.timestamp}.${parameters.body}`, "utf8").digest("hex")}`;
}

/**
 * A new webhook secret: `whsec_` and 64 hex digits (32 random bytes). Shown once to the client.
 *
 * @returns the secret.
 * @example
 * const secret = createWebhookSecret();
 */
export function createWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("hex")}`;
}
