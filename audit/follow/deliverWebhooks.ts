import type { PendingDelivery } from "./followState.js";
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from "./signWebhookBody.js";

/** Parameters of {@link deliverWebhooks}. */
export type DeliverWebhooksParameters = {
  url: string;
  secret: string;
  /** Seconds before one POST is abandoned (default 10). */
  timeoutSeconds?: number;
  /** First retry delay in ms, doubled per failure (default 1,000). */
  backoffMs?: number;
  /** Longest retry delay in ms (default 300,000). */
  maxBackoffMs?: number;
  /** Clock (Unix ms); tests pass their own. */
  now?: () => number;
};

/**
 * Attempts every due delivery once, in order: POSTs the body with `content-type: application/json`,
 * `KeyTrail-Signature` (signed at this attempt) and `KeyTrail-Finding-Id` (the receiver's
 * idempotency key). A 2xx answer removes the delivery; anything else (status, refused connection,
 * time-out) keeps it with its attempt count raised and the next attempt pushed back exponentially.
 * A delivery is never dropped.
 *
 * @param pending The queue (not modified).
 * @param parameters Webhook URL, secret, timing.
 * @returns The new queue and how many were delivered.
 * @example
 * const { pending, delivered } = await deliverWebhooks(state.pending, { url, secret });
 */
export async function deliverWebhooks(
  pending: readonly PendingDelivery[],
  parameters: DeliverWebhooksParameters,
): Promise<{ pending: PendingDelivery[]; delivered: string[] }> {
  const now = parameters.now ?? Date.now;
  const backoff = parameters.backoffMs ?? 1_000;
  const maxBackoff = parameters.maxBackoffMs ?? 300_000;
  const out: PendingDelivery[] = [];
  const delivered: string[] = [];
  let down = false;
  for (const d of pending) {
    // Once the receiver failed in this round, the rest wait for the next one (order is kept).
    if (down || d.nextAttemptAt > now()) {
      out.push(d);
      continue;
    }
    let error: string | null = null;
    try {
      const res = await fetch(parameters.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody({
            secret: parameters.secret,
            body: d.body,
            timestamp: Math.floor(now() / 1000),
          }),
          "KeyTrail-Finding-Id": d.id,
        },
        body: d.body,
        signal: AbortSignal.timeout((parameters.timeoutSeconds ?? 10) * 1000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    if (error === null) {
      delivered.push(d.id);
      continue;
    }
    down = true;
    const attempts = d.attempts + 1;
    out.push({
      ...d,
      attempts,
      nextAttemptAt: now() + Math.min(maxBackoff, backoff * 2 ** (attempts - 1)),
      lastError: error,
    });
  }
  return { pending: out, delivered };
}
