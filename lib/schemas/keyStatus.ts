import { z } from "zod";
import { addressSchema, hex32Schema } from "./primitives.js";

import { REVOCATION_REASONS } from "../verify/revocationReasons.js";

export { REVOCATION_REASONS };

/** A revocation reason name (see {@link REVOCATION_REASONS}). */
export const revocationReasonSchema = z.enum(REVOCATION_REASONS);
/** A revocation reason name. */
export type RevocationReason = z.infer<typeof revocationReasonSchema>;

const u64 = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Everything a verifier needs about one key, from the ledger's `keyStatus` view, with integers as
 * numbers and the reason as a name. `root` is zero when the batch does not exist.
 */
export const keyStatusSchema = z
  .object({
    root: hex32Schema,
    supplier: addressSchema,
    count: u64,
    expiresAt: u64,
    restricted: z.boolean(),
    holder: addressSchema,
    segmentStart: u64,
    segmentEnd: u64,
    frozenReason: revocationReasonSchema,
    redeemed: z.boolean(),
  })
  .strict();

/** The status of one key (see {@link keyStatusSchema}). */
export type KeyStatus = z.infer<typeof keyStatusSchema>;
