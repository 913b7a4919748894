import { createHmac } from "node:crypto";

/** Name of the header carrying the timestamp and signature of a webhook POST. */
export const WEBHOOK_SIGNATURE_HEADER = "KeyTrail-Signature";

/**
 * Signs a webhook body: HMAC-SHA256 with the shared secret over `${timestamp}.${body}` (the exact
 * bytes POSTed), hex. The header value is `t=<unix seconds>,v1=<hex>`: the timestamp is signed too,
 * so a receiver can refuse replays of an old delivery (docs/AUDIT.md, "Live watch").
 *
 * @param parameters The secret, the body and the Unix time in seconds.
 * @returns The `KeyTrail-Signature` header value.
 * @example
 * const header = signWebhookBody({ secret, body, timestamp: Math.floor(Date.now() / 1000) });
 */
export function signWebhookBody(parameters: { secret: string; body: string; timestamp: number }): string {
  const { secret, body, timestamp } = parameters;
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${mac}`;
}
