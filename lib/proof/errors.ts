import { BaseError } from "../errors/BaseError.js";

/**
 * A Merkle-Patricia proof, an RLP item or a block header does not check out. The message says
 * which node or field and why; a verdict built on it must say "cannot confirm", never more.
 */
export class ProofError extends BaseError {
  override name = "ProofError";
}
