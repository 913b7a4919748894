import { BaseError } from "../errors/BaseError.js";

/** A sale's `KeysSold` log could not be found, or was not one log (the message names the batch and sale). */
export class SaleLogError extends BaseError {
  override name = "SaleLogError";
}
