import { z } from "zod";

import { CSET82, expiryOk, gtinCheckDigitOk } from "../payload/internal/gs1.js";

export { CSET82, expiryOk, gtinCheckDigitOk };

/**
 * GS1 Digital Link identifiers carried by a payload: AI (01) GTIN as 14 digits with a valid check
 * digit (pad GTIN-8/12/13 with leading zeros), AI (10) lot and AI (21) serial in GS1 character
 * set 82 (1-20 characters), AI (17) expiry as YYMMDD.
 */
export const gs1Schema = z
  .object({
    gtin: z.string().refine((g) => /^\d{14}$/.test(g) && gtinCheckDigitOk(g), {
      message: "expected a GTIN-14: 14 digits with a valid check digit",
    }),
    lot: z.string().regex(CSET82, "expected 1-20 characters of GS1 character set 82").optional(),
    serial: z.string().regex(CSET82, "expected 1-20 characters of GS1 character set 82").optional(),
    expiry: z.string().refine(expiryOk, { message: "expected a real YYMMDD date (day 00 = end of month)" }).optional(),
  })
  .strict();

/** GS1 identifiers of a payload (see {@link gs1Schema}). */
export type Gs1Fields = z.infer<typeof gs1Schema>;
