import { z } from "zod";
import { addressSchema, hex24Schema, hex32Schema } from "./primitives.js";

import { REVOCATION_REASONS } from "../verify/revocationReasons.js";

export { REVOCATION_REASONS };

/** A revocation reason name (see {@link REVOCATION_REASONS}). */
export const revocationReasonSchema = z.enum(REVOCATION_REASONS);
/** A revocation reason name. */
export type RevocationReason = z.infer<typeof revocationReasonSchema>;

const u64 = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Everything a verifier needs about one key, from the ledger's `keyStatus` view, with integers as
 * numbers and the reason as a name. `root` is zero when the batch does not exist. A v2 ledger's status
 * (`ledgerVersion: 2`) adds the optional fields: whether the batch requires a sale before redemption,
 * whether its issuer is suspended, whether the freeze is a regulator's (`frozenReason` is then the
 * regulator layer's reason) and the supplier layer's reason, and the key's sale (`saleNo`, 0 when
 * never sold; `sold` when that sale is live; `refunded` when it was refunded). Absent means v1.
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
    ledgerVersion: z.union([z.literal(1), z.literal(2)]).optional(),
    saleRequired: z.boolean().optional(),
    issuerSuspended: z.boolean().optional(),
    frozenByRegulator: z.boolean().optional(),
    supplierReason: revocationReasonSchema.optional(),
    saleNo: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional(),
    sold: z.boolean().optional(),
    refunded: z.boolean().optional(),
    /**
     * The first 24 bytes of the live sale's Merkle root (what the ledger stores), when proven from storage:
     * the receipt's log is then checked against it.
     */
    saleRoot: hex24Schema.optional(),
  })
  .strict();

/** The status of one key (see {@link keyStatusSchema}). */
export type KeyStatus = z.infer<typeof keyStatusSchema>;
