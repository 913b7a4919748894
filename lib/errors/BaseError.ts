/** Parameters of {@link BaseError}. */
export type BaseErrorParameters = {
  /** Extra lines: what was expected, what to do. */
  details?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
  /** Whether repeating the same operation may succeed (RPC time-outs, 429s). */
  retryable?: boolean | undefined;
};

/**
 * The one error base of KeyTrail. `shortMessage` quotes the bad input and the expectation;
 * `details` adds context; `retryable` tells callers (the indexer, the CLI) whether a retry makes
 * sense. Subclasses set `override name` and live in per-domain files.
 *
 * @example
 * throw new BaseError('Invalid key file keys.csv line 1,204: duplicate key (first seen on line 17).')
 */
export class BaseError extends Error {
  override name = "KeyTrailError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly retryable: boolean;

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const message = parameters.details ? `${shortMessage}\n\n${parameters.details}` : shortMessage;
    super(message, parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = shortMessage;
    this.details = parameters.details;
    this.retryable = parameters.retryable ?? false;
  }
}
