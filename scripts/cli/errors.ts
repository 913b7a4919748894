import { BaseError, type BaseErrorParameters } from "../../lib/errors/BaseError.js";

/** Wrong use of the command line (missing flag, bad flag value): exit code 2. */
export class CliUsageError extends BaseError {
  override name = "CliUsageError";
  readonly exitCode = 2;
}

/** The command was understood but could not be done (bad file, chain refused, RPC down): exit code 1. */
export class CliError extends BaseError {
  override name = "CliError";
  readonly exitCode = 1;
}

/** What to check when an RPC does not answer (the URL's possible sources). */
export const RPC_CHECK_HINT =
  "Check that the node is running and the URL (flag --rpc-url, KEYTRAIL_RPC_URL or keytrail.config.json) is right.";

/** The JSON-RPC endpoint did not answer after bounded retries. */
export class RpcUnreachableError extends BaseError {
  override name = "RpcUnreachableError";
  readonly exitCode = 1;
  constructor(url: string, parameters: BaseErrorParameters = {}) {
    super(`RPC ${url} is unreachable: no answer after several attempts with backoff.`, {
      details: parameters.details ?? RPC_CHECK_HINT,
      cause: parameters.cause,
      retryable: true,
    });
  }
}

/** A transaction or call the ledger contract refused, in plain words. */
export class LedgerRefusedError extends BaseError {
  override name = "LedgerRefusedError";
  readonly exitCode = 1;
  /** The contract's custom error name, e.g. `KeyLedgerRangeNotHeld`. */
  readonly errorName: string | undefined;
  constructor(sentence: string, errorName: string | undefined, parameters: BaseErrorParameters = {}) {
    super(sentence, parameters);
    this.errorName = errorName;
  }
}
