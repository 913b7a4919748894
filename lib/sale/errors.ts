import { BaseError } from "../errors/BaseError.js";

/** A receipt secret, order reference or sale item is malformed; the message names the input. */
export class SaleInputError extends BaseError {
  override name = "SaleInputError";
}
