import { BaseError } from "../errors/BaseError.js";

/** A snapshot field cannot be encoded canonically (wrong length, out of range, duplicate). */
export class InvalidSnapshotError extends BaseError {
  override name = "InvalidSnapshotError";
}
