import { BaseError } from "../errors/BaseError.js";

/** An argument of batchId, salt or commitment derivation is malformed (bad hex, index out of range, empty key bytes). */
export class CommitArgumentError extends BaseError {
  override name = "CommitArgumentError";
}
