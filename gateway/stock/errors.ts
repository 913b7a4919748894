import { BaseError } from "../../lib/errors/BaseError.js";

/**
 * A stock import was refused (a row whose commitment does not match the sealed batch, a batch folder
 * that does not match the chain, a missing encryption key). Nothing of the import is kept.
 */
export class StockImportError extends BaseError {
  override name = "StockImportError";
}
