import { BaseError } from "../lib/errors/BaseError.js";
import type { BaseErrorParameters } from "../lib/errors/BaseError.js";

/** An RPC call failed; `retryable` says whether the same call may succeed later (time-out, 429, 5xx, dropped connection). */
export class IndexerRpcError extends BaseError {
  override name = "IndexerRpcError";
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, parameters);
  }
}

/** An RPC answered, but the answer is inconsistent (wrong block hash, unsorted or foreign logs). Retryable: another call or another RPC may answer correctly. */
export class IndexerInconsistentResponseError extends BaseError {
  override name = "IndexerInconsistentResponseError";
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { retryable: true, ...parameters });
  }
}

/** The log range answer was too large; the caller shrinks the block range. */
export class IndexerRangeTooLargeError extends BaseError {
  override name = "IndexerRangeTooLargeError";
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { retryable: true, ...parameters });
  }
}

/** A reorganisation deeper than the configured finality depth: the indexer stops instead of diverging. */
export class IndexerReorgTooDeepError extends BaseError {
  override name = "IndexerReorgTooDeepError";
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { retryable: false, ...parameters });
  }
}

/** The database holds another chain's or another ledger's data, or an unknown schema version. */
export class IndexerStoreMismatchError extends BaseError {
  override name = "IndexerStoreMismatchError";
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { retryable: false, ...parameters });
  }
}

/** A ledger event contradicts the indexed state (e.g. a transfer of a range the sender does not hold). */
export class IndexerStateError extends BaseError {
  override name = "IndexerStateError";
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { retryable: false, ...parameters });
  }
}

/** Bad configuration (no RPC URL, malformed address, finality depth out of range). */
export class IndexerConfigError extends BaseError {
  override name = "IndexerConfigError";
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { retryable: false, ...parameters });
  }
}
