import { BaseError } from "../../lib/errors/BaseError.js";

/** One bad parameter of a request, as the API's error body lists it. */
export type ApiParameterProblem = { parameter: string; problem: string };

/**
 * A request the read API answers with an error status (400 naming the parameter, 404, 405, 503):
 * the body is `{ error: { code, message, details? } }` and `headers` are added to the answer.
 */
export class ApiRequestError extends BaseError {
  override name = "ApiRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    shortMessage: string,
    readonly problems?: ApiParameterProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(shortMessage);
  }
}
