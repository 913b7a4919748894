import { BaseError } from "../lib/errors/BaseError.js";

/** The chain could not be read (RPC failure after retries, bad range). */
export class AuditRpcError extends BaseError {
  override name = "AuditRpcError";
}

/** A log of the ledger could not be decoded with the KeyLedger ABI. */
export class AuditDecodeError extends BaseError {
  override name = "AuditDecodeError";
}

/** The indexer to compare with could not be read or answered something unexpected. */
export class AuditIndexerError extends BaseError {
  override name = "AuditIndexerError";
}

/** A bad option of the audit (flag, threshold, period). */
export class AuditOptionError extends BaseError {
  override name = "AuditOptionError";
}
