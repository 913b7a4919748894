import { z } from "zod";

/** GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1), 1 to 20 characters. */
export const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

/** Whether a 14-digit string has a correct GS1 mod-10 check digit (no length check). */
export function gtinCheckDigitOk(gtin: string): boolean {
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += (gtin.charCodeAt(i) - 48) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10 === gtin.charCodeAt(13) - 48;
}

/** AI (17) expiry YYMMDD: month 01-12, day 00-31 (00 = end of month, as GS1 allows). */
export function expiryOk(s: string): boolean {
  if (!/^\d{6}$/.test(s)) return false;
  const mm = Number(s.slice(2, 4));
  const dd = Number(s.slice(4, 6));
  return mm >= 1 && mm <= 12 && dd <= 31;
}

/**
 * GS1 Digital Link identifiers carried by a payload: AI (01) GTIN as 14 digits with a valid check
 * digit (pad GTIN-8/12/13 with leading zeros), AI (10) lot and AI (21) serial in GS1 character
 * set 82 (1-20 characters), AI (17) expiry as YYMMDD.
 */
export const gs1Schema = z
  .object({
    gtin: z.string().refine((g) => /^\d{14}$/.test(g) && gtinCheckDigitOk(g), { message: "expected a GTIN-14: 14 digits with a valid check digit" }),
    lot: z.string().regex(CSET82, "expected 1-20 characters of GS1 character set 82").optional(),
    serial: z.string().regex(CSET82, "expected 1-20 characters of GS1 character set 82").optional(),
    expiry: z.string().refine(expiryOk, { message: "expected YYMMDD with month 01-12 and day 00-31" }).optional(),
  })
  .strict();

/** GS1 identifiers of a payload (see {@link gs1Schema}). */
export type Gs1Fields = z.infer<typeof gs1Schema>;
