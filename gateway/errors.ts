import { BaseError } from "../lib/errors/BaseError.js";
import type { BaseErrorParameters } from "../lib/errors/BaseError.js";

/** Machine-readable codes of the gateway's JSON errors (docs/GATEWAY.md, "Error codes"). */
export type GatewayErrorCode =
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "MALFORMED_BODY"
  | "BODY_TOO_LARGE"
  | "UNKNOWN_BATCH"
  | "INSUFFICIENT_KEYS"
  | "RECIPIENT_NOT_AUTHORIZED"
  | "ORDER_REFERENCE_CONFLICT"
  | "ORDER_NOT_FOUND"
  | "NOT_FOUND"
  | "RATE_LIMITED"
  | "UNAVAILABLE"
  | "INTERNAL";

/**
 * An error the gateway answers with: an HTTP status, a stable code and a sentence naming the input.
 *
 * @example
 * throw new GatewayError(404, "UNKNOWN_BATCH", `Batch ${batchId} is not anchored on ledger ${ledger}.`);
 */
export class GatewayError extends BaseError {
  override name = "GatewayError";
  readonly status: number;
  readonly code: GatewayErrorCode;

  constructor(status: number, code: GatewayErrorCode, shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, parameters);
    this.status = status;
    this.code = code;
  }
}

/** The gateway could not start: bad settings, a ledger that is not v2, an unreachable RPC. */
export class GatewayConfigError extends BaseError {
  override name = "GatewayConfigError";
}
