import { BaseError } from "../errors/BaseError.js";

/** A ledger log does not decode with the KeyLedger ABI (missing topic, data too short, bad offset). */
export class LedgerLogDecodeError extends BaseError {
  override name = "LedgerLogDecodeError";
}

/** A block span (of an `eth_getLogs` loop) is not a positive integer. */
export class InvalidBlockSpanError extends BaseError {
  override name = "InvalidBlockSpanError";
}
