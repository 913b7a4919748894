import { z } from "zod";
import { addressSchema, chainIdSchema, hex16Schema, hex32Schema, keyIndexSchema } from "./primitives.js";
import { MAX_PROOF_NODES } from "../payload/constants.js";
import { gs1Schema } from "./gs1.js";

/** How the key of a batch was case-normalised at seal time (docs/FORMATS.md, "Key normalisation"). */
export const keyCaseSchema = z.enum(["exact", "upper"]);

/**
 * The fields of a QR payload, as given to `encodePayload`. A full form carries the commitment
 * and the Merkle proof; a short form carries neither proof nor (optionally) commitment, which the
 * verifier takes from the batch's proof shard. `receiptSecret` (the buyer's receipt of a sale, 16 bytes)
 * makes the payload version 2; `version` is derived from it and, when given, only checked to be 1 or 2. The public
 * form (version 3) has no salt and must say `version: 3`.
 */
export const payloadFieldsSchema = z
  .object({
    version: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    form: z.enum(["full", "short"]),
    chainId: chainIdSchema,
    ledger: addressSchema,
    batchId: hex32Schema,
    index: keyIndexSchema,
    salt: hex32Schema.optional(),
    commitment: hex32Schema.optional(),
    proof: z.array(hex32Schema).max(MAX_PROOF_NODES).readonly().optional(),
    seller: addressSchema.optional(),
    gs1: gs1Schema.optional(),
    keyCase: keyCaseSchema.optional(),
    receiptSecret: hex16Schema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.form === "full" && (p.commitment === undefined || p.proof === undefined))
      ctx.addIssue({ code: "custom", message: "a full-form payload needs commitment and proof" });
    if (p.form === "short" && p.proof !== undefined)
      ctx.addIssue({ code: "custom", message: "a short-form payload carries no proof" });
    if ((p.salt === undefined) !== (p.version === 3))
      ctx.addIssue({ code: "custom", message: "the salt is absent exactly in the public form (version 3)" });
    if (p.salt === undefined && p.receiptSecret !== undefined)
      ctx.addIssue({ code: "custom", message: "the public form (version 3) carries no receipt secret" });
  });

/** Input of `encodePayload`. */
export type PayloadFields = z.input<typeof payloadFieldsSchema>;

/**
 * A decoded payload: hex fields lower-case, `version` and `keyCase` always present; version 2 exactly
 * when `receiptSecret` is present.
 */
export const decodedPayloadSchema = z
  .object({
    version: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    form: z.enum(["full", "short"]),
    chainId: chainIdSchema,
    ledger: addressSchema,
    batchId: hex32Schema,
    index: keyIndexSchema,
    salt: hex32Schema.optional(),
    commitment: hex32Schema.optional(),
    proof: z.array(hex32Schema).max(MAX_PROOF_NODES).optional(),
    seller: addressSchema.optional(),
    gs1: gs1Schema.optional(),
    keyCase: keyCaseSchema,
    receiptSecret: hex16Schema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.version === 2) !== (p.receiptSecret !== undefined))
      ctx.addIssue({ code: "custom", message: "version 2 exactly when the receipt secret is present" });
    if ((p.version === 3) !== (p.salt === undefined))
      ctx.addIssue({ code: "custom", message: "version 3 (the public form) exactly when the salt is absent" });
  });

/** Output of `decodePayload`. */
export type DecodedPayload = z.infer<typeof decodedPayloadSchema>;
