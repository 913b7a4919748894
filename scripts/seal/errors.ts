import { BaseError } from "../../lib/errors/BaseError.js";

/** A seal could not run: bad parameters, an output folder that holds a complete seal, a worker that failed. */
export class SealError extends BaseError {
  override name = "SealError";
}
