import { BaseError } from "../../lib/errors/BaseError.js";

/** The follow state file cannot be read, or belongs to another chain or ledger. */
export class FollowStateError extends BaseError {
  override name = "FollowStateError";
}

/** The RPC did not answer after the follower's retries, or serves another chain. */
export class FollowRpcError extends BaseError {
  override name = "FollowRpcError";
}

/** A webhook signature header is missing, malformed, stale or does not match the body. */
export class WebhookSignatureError extends BaseError {
  override name = "WebhookSignatureError";
}
