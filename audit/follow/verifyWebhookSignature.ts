import { createHmac, timingSafeEqual } from "node:crypto";
import { WebhookSignatureError } from "./errors.js";

/**
 * What a webhook receiver runs: checks a `KeyTrail-Signature` header (`t=<unix seconds>,v1=<hex>`)
 * against the raw body and the shared secret (HMAC-SHA256 over `${t}.${body}`, compared in
 * constant time) and refuses a timestamp further than `toleranceSeconds` from now (a replayed
 * old delivery).
 *
 * @param parameters The secret, the raw body, the header value, the tolerance (default 300 s) and now (Unix seconds).
 * @returns The signed timestamp.
 * @throws WebhookSignatureError naming what is wrong (missing, malformed, stale, mismatch).
 * @example
 * verifyWebhookSignature({ secret, body: rawBody, header: req.headers["keytrail-signature"] });
 */
export function verifyWebhookSignature(parameters: {
  secret: string;
  body: string;
  header: string | undefined;
  toleranceSeconds?: number;
  now?: number;
}): number {
  const { secret, body, header } = parameters;
  if (!header) throw new WebhookSignatureError("The KeyTrail-Signature header is missing.");
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!m) throw new WebhookSignatureError(`KeyTrail-Signature ${JSON.stringify(header)} is not t=<seconds>,v1=<hex>.`);
  const t = Number(m[1]);
  const now = parameters.now ?? Math.floor(Date.now() / 1000);
  const tolerance = parameters.toleranceSeconds ?? 300;
  if (Math.abs(now - t) > tolerance)
    throw new WebhookSignatureError(`KeyTrail-Signature timestamp ${t} is more than ${tolerance} s from now (${now}).`);
  const expected = createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest();
  if (!timingSafeEqual(expected, Buffer.from(m[2]!, "hex")))
    throw new WebhookSignatureError("KeyTrail-Signature does not match the body.");
  return t;
}
