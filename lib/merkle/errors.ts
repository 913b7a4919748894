import { BaseError } from "../errors/BaseError.js";

/** A Merkle argument is out of range or malformed (empty tree, index beyond the count, bad hex). */
export class MerkleArgumentError extends BaseError {
  override name = "MerkleArgumentError";
}

/** Why a proof shard was refused; stable codes for callers and tests. */
export type ProofShardErrorCode =
  | "TRUNCATED"
  | "MAGIC"
  | "VERSION"
  | "SHARD_SIZE"
  | "RESERVED"
  | "RANGE"
  | "COUNT"
  | "PATH_LENGTH"
  | "LENGTH"
  | "INDEX"
  | "BATCH";

/** A proof shard file is malformed or does not fit the key asked for. `code` says which rule failed. */
export class ProofShardError extends BaseError {
  override name = "ProofShardError";
  readonly code: ProofShardErrorCode;

  constructor(code: ProofShardErrorCode, shortMessage: string, details?: string) {
    super(`Invalid proof shard: ${shortMessage}`, { details });
    this.code = code;
  }
}
