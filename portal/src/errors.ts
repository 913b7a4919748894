import { BaseError } from "../../lib/errors/BaseError.js";

/** A missing or invalid portal configuration value; the message names the field, its source and the expectation. */
export class PortalConfigError extends BaseError {
  override name = "PortalConfigError";
}

/**
 * A JSON-RPC call of the verify page failed. `unreachable` (also `retryable`): no endpoint answered,
 * so the verdict is "cannot reach the chain"; otherwise the chain answered with an error
 * (`revertData` holds a revert's data when there was one).
 */
export class RpcError extends BaseError {
  override name = "RpcError";
  readonly unreachable: boolean;
  readonly revertData: string | undefined;

  constructor(message: string, unreachable: boolean, revertData?: string) {
    super(message, { retryable: unreachable });
    this.unreachable = unreachable;
    this.revertData = revertData;
  }
}
